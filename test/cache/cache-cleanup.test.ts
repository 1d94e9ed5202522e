import { afterEach, describe, expect, it } from '@jest/globals';
import type { ModalClient } from 'modal';
import pino from 'pino';
import { createCacheCleanup } from '../../src/cache/cache-cleanup.js';
import { modalCacheVolumeCalls } from '../../src/modal/cache-volume-calls.js';
import { cacheVolumeName } from '../../src/cache/cache-volume.js';
import type { RunnerClass } from '../../src/config/runner-class.js';
import { FakeModal } from '../../sim/modal/fake-modal.js';
import { createFakeModalClient } from '../../sim/modal/modal-client.js';

const HOUR = 3600_000;
const DAY = 24 * HOUR;
const GIB = 1024 ** 3;
const now = Date.UTC(2026, 11, 1, 12);
const DEPLOYMENT = 'prod';

const classes = new Map<string, RunnerClass>([
  ['cached', { name: 'cached', cpu: 2, memoryMiB: 8192, cache: { sizeGiB: 1, ttlDays: 7 } }],
  ['fresh', { name: 'fresh', cpu: 2, memoryMiB: 8192, cache: { sizeGiB: 1, ttlDays: 7 } }],
  ['plain', { name: 'plain', cpu: 2, memoryMiB: 8192 }],
]);

let fake: FakeModal;
let client: ModalClient;

afterEach(() => {
  client?.close();
  fake?.close();
});

/** Seeds a generation directory published `ageMs` ago with two files. */
function seed(
  volume: NonNullable<ReturnType<FakeModal['volume']>>,
  ageMs: number,
  bytes: number,
  writer: string,
) {
  const secs = Math.floor((now - ageMs) / 1000);
  const name = `g-${secs}-${bytes}-${writer}`;
  fake.putVolumeFile(volume, `gens/${name}/.complete`, { mtime: secs, size: 10 });
  fake.putVolumeFile(volume, `gens/${name}/data/npm/index`, { mtime: secs, size: bytes });
  return name;
}

describe('cache cleanup against the fake Modal', () => {
  it('removes expired, superseded and over-cap generations, keeps the newest, creates nothing', async () => {
    fake = new FakeModal();
    client = createFakeModalClient(fake);
    const name = cacheVolumeName(DEPLOYMENT, 'cached');
    await client.volumes.fromName(name, { createIfMissing: true });
    const volume = fake.volume(name);
    if (!volume) throw new Error('no volume');
    const expired = seed(volume, 8 * DAY, GIB / 4, 'a');
    const superseded = seed(volume, 3 * HOUR, GIB / 4, 'b');
    const overCap = seed(volume, 2 * HOUR, GIB / 2, 'c');
    const newest = seed(volume, 10 * 60_000, GIB / 2 + 1, 'd');
    fake.putVolumeFile(volume, 'gens/.tmp-dead/data/x', {
      mtime: Math.floor((now - 2 * DAY) / 1000),
      size: 1,
    });
    const before = fake.requests('VolumeGetOrCreate').length;

    const cleanup = createCacheCleanup({
      calls: modalCacheVolumeCalls(client),
      classes,
      deploymentId: DEPLOYMENT,
      clock: { now: () => now, sleep: async () => undefined },
      log: pino({ level: 'silent' }),
    });
    const results = await cleanup.tick();

    expect(results.map((r) => [r.runnerClass, r.exists])).toEqual([
      ['cached', true],
      ['fresh', false],
    ]);
    expect(results[0]?.removed).toEqual([
      { name: '.tmp-dead', reason: 'abandoned' },
      { name: superseded, reason: 'superseded' },
      { name: expired, reason: 'expired' },
      { name: overCap, reason: 'over-cap' },
    ]);
    const removals = fake.requests('VolumeRemoveFile2') as Record<string, unknown>[];
    expect(removals.map((r) => [r.volumeId, r.path, r.recursive])).toEqual(
      ['.tmp-dead', superseded, expired, overCap].map((n) => [volume.volumeId, `gens/${n}`, true]),
    );
    expect([...volume.files.keys()].sort()).toEqual([
      `gens/${newest}/.complete`,
      `gens/${newest}/data/npm/index`,
    ]);
    // Lookups never create a volume: the "fresh" class's volume still does not exist.
    const lookups = (fake.requests('VolumeGetOrCreate') as Record<string, unknown>[]).slice(before);
    expect(lookups.every((r) => r.objectCreationType === 0)).toBe(true);
    expect(fake.volume(cacheVolumeName(DEPLOYMENT, 'fresh'))).toBeUndefined();
  });
});
