import { describe, expect, it } from '@jest/globals';
import { cacheWipeCommand } from '../../src/cli/cache-wipe-command.js';
import { cacheVolumeName } from '../../src/cache/cache-volume.js';
import { FakeModal } from '../../sim/modal/fake-modal.js';
import { createFakeModalClient } from '../../sim/modal/modal-client.js';
import { testPrivateKey } from '../../sim/harness.js';

const ENV = {
  APP_ID: '1',
  PRIVATE_KEY: testPrivateKey(),
  WEBHOOK_SECRET: 'cache-wipe-secret-0123456789',
  DEPLOYMENT_ID: 'prod',
  RUNNER_CLASSES: JSON.stringify({
    modal: { cpu: 2, memoryMiB: 4096 },
    'modal-cached': { cpu: 2, memoryMiB: 4096, cache: true },
  }),
};

async function run(fake: FakeModal, args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await cacheWipeCommand(args, {
    env: ENV,
    modalClient: () => createFakeModalClient(fake),
    out: (t) => out.push(t),
    err: (t) => err.push(t),
  });
  return { code, out: out.join(''), err: err.join('') };
}

describe('modal-github-runner cache wipe <class>', () => {
  it('removes every generation of the class volume and keeps the volume', async () => {
    const fake = new FakeModal();
    const name = cacheVolumeName('prod', 'modal-cached');
    const setupClient = createFakeModalClient(fake);
    await setupClient.volumes.fromName(name, { createIfMissing: true });
    setupClient.close();
    const volume = fake.volume(name);
    if (!volume) throw new Error('no volume');
    fake.putVolumeFile(volume, 'gens/g-1764590000-100-a/.complete', { mtime: 1764590000, size: 8 });
    fake.putVolumeFile(volume, 'gens/g-1764590000-100-a/data/npm/x', {
      mtime: 1764590000,
      size: 100,
    });
    fake.putVolumeFile(volume, 'gens/.tmp-b/data/npm/y', { mtime: 1764590000, size: 100 });

    const { code, out } = await run(fake, ['modal-cached']);
    expect(code).toBe(0);
    expect(out).toContain(`Wiped 2 entries from ${name} (class modal-cached)`);
    expect(volume.files.size).toBe(0);
    expect(fake.volume(name)).toBeDefined();
    fake.close();
  });

  it('a volume that does not exist yet: nothing to wipe, nothing created', async () => {
    const fake = new FakeModal();
    const { code, out } = await run(fake, ['modal-cached']);
    expect(code).toBe(0);
    expect(out).toContain('does not exist: nothing to wipe');
    expect(fake.volume(cacheVolumeName('prod', 'modal-cached'))).toBeUndefined();
    fake.close();
  });

  it('a class without cache, or no class: exit 2 saying which classes have one', async () => {
    const fake = new FakeModal();
    const plain = await run(fake, ['modal']);
    expect(plain.code).toBe(2);
    expect(plain.err).toContain(
      'runner class "modal" has no cache; classes with one: modal-cached',
    );
    const none = await run(fake, []);
    expect(none.code).toBe(2);
    expect(none.err).toContain('Usage: modal-github-runner cache wipe <class>');
    expect(fake.requests('VolumeGetOrCreate')).toHaveLength(0);
    fake.close();
  });
});
