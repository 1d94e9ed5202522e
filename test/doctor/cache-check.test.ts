import { afterEach, describe, expect, it } from '@jest/globals';
import type { ModalClient } from 'modal';
import { Status } from 'nice-grpc-common';
import { modalCacheVolumeCalls } from '../../src/modal/cache-volume-calls.js';
import { cacheVolumeName } from '../../src/cache/cache-volume.js';
import type { RunnerClass } from '../../src/config/runner-class.js';
import { checkCacheVolumes } from '../../src/doctor/cache-check.js';
import { FakeModal } from '../../sim/modal/fake-modal.js';
import { createFakeModalClient } from '../../sim/modal/modal-client.js';

const now = Date.UTC(2026, 11, 1, 12);
const classes = new Map<string, RunnerClass>([
  ['warm', { name: 'warm', cpu: 2, memoryMiB: 4096, cache: { sizeGiB: 2, ttlDays: 7 } }],
  ['cold', { name: 'cold', cpu: 2, memoryMiB: 4096, cache: { sizeGiB: 10, ttlDays: 14 } }],
  ['plain', { name: 'plain', cpu: 2, memoryMiB: 4096 }],
]);

let fake: FakeModal;
let client: ModalClient;
afterEach(() => {
  client?.close();
  fake?.close();
});

describe('doctor: cache volumes', () => {
  it('reports an existing volume with its size and one that will be created, creating none', async () => {
    fake = new FakeModal();
    client = createFakeModalClient(fake);
    const warm = cacheVolumeName('prod', 'warm');
    await client.volumes.fromName(warm, { createIfMissing: true });
    const volume = fake.volume(warm);
    if (!volume) throw new Error('no volume');
    const secs = Math.floor(now / 1000) - 600;
    const gen = `g-${secs}-${512 * 1024 ** 2}-modal-warm-1`;
    fake.putVolumeFile(volume, `gens/${gen}/.complete`, { mtime: secs, size: 20 });

    const [check] = await checkCacheVolumes(modalCacheVolumeCalls(client), classes, 'prod', now);
    expect(check?.status).toBe('PASS');
    expect(check?.details).toEqual([
      `warm: ${warm} exists, 1 entry, 0.50 GiB published of a 2 GiB cap, ttl 7 days; runners restore ${gen}`,
      `cold: ${cacheVolumeName('prod', 'cold')} will be created by the first launch`,
    ]);
    expect(fake.volume(cacheVolumeName('prod', 'cold'))).toBeUndefined();
  });

  it('fails with the fix when Modal refuses', async () => {
    fake = new FakeModal();
    client = createFakeModalClient(fake);
    fake.failNext('VolumeGetOrCreate', Status.PERMISSION_DENIED, 2, { details: 'no access' });
    const [check] = await checkCacheVolumes(modalCacheVolumeCalls(client), classes, 'prod', now);
    expect(check?.status).toBe('FAIL');
    expect(check?.summary).toBe('2 cache volume(s) could not be read');
    expect(check?.fix).toContain('MODAL_TOKEN_ID');
  });
});
