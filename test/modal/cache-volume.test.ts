import { afterEach, describe, expect, it } from '@jest/globals';
import type { ModalClient } from 'modal';
import { CACHE_LIBRARY, CACHE_STEP_SCRIPT } from '../../src/cache/cache-script.js';
import { CACHE_DIR, CACHE_MOUNT_PATH, cacheVolumeName } from '../../src/cache/cache-volume.js';
import type { RunnerClass } from '../../src/config/runner-class.js';
import { deploymentTag } from '../../src/domain/runner-name.js';
import type { SandboxSpec } from '../../src/ports/sandbox-platform.js';
import { createModalSandboxPlatform } from '../../src/modal/modal-sandbox-platform.js';
import { entrypointSteps, runnerCommand } from '../../src/modal/runner-entrypoint.js';
import { FakeModal } from '../../sim/modal/fake-modal.js';
import { createFakeModalClient } from '../../sim/modal/modal-client.js';

const DEPLOYMENT = 'prod';
const cached: RunnerClass = {
  name: 'modal-cached',
  cpu: 2,
  memoryMiB: 8192,
  cache: { sizeGiB: 4, ttlDays: 7 },
};
const gpuCached: RunnerClass = {
  name: 'gpu-t4-cached',
  cpu: 4,
  memoryMiB: 16384,
  gpu: 'T4',
  cache: { sizeGiB: 20, ttlDays: 14 },
};

function spec(runnerClass: RunnerClass, name: string): SandboxSpec {
  return {
    name,
    runnerClass,
    tags: {
      managedBy: 'modal-github-runner',
      runnerClass: runnerClass.name,
      runnerName: name,
      warm: false,
    },
  };
}

let fake: FakeModal;
let client: ModalClient;

function setup() {
  fake = new FakeModal();
  client = createFakeModalClient(fake);
  return createModalSandboxPlatform({
    client,
    appName: 'github-runners',
    runnerVersion: '2.330.0',
    defaultTimeoutMinutes: 60,
    deploymentId: DEPLOYMENT,
  });
}

afterEach(() => {
  client?.close();
  fake?.close();
});

describe('a class with cache on Modal', () => {
  it('creates its volume once, named per deployment and class, and mounts it with the cache environment', async () => {
    const platform = setup();
    const { sandboxId } = await platform.createSandbox(spec(cached, 'modal-cached-abc123-0001'));
    await platform.createSandbox(spec(cached, 'modal-cached-abc123-0002'));

    const name = `ghr-cache-${deploymentTag(DEPLOYMENT)}-modal-cached`;
    expect(cacheVolumeName(DEPLOYMENT, 'modal-cached')).toBe(name);
    // Looked up (and created) once for both sandboxes.
    const lookups = fake.requests('VolumeGetOrCreate') as Record<string, unknown>[];
    expect(lookups).toHaveLength(1);
    expect(lookups[0]).toMatchObject({ deploymentName: name, objectCreationType: 1 });
    const volume = fake.volume(name);
    expect(volume).toBeDefined();

    // The exact mount Modal received.
    const create = fake.requests('SandboxCreateV2')[0] as { definition: Record<string, unknown> };
    expect(create.definition.volumeMounts).toEqual([
      expect.objectContaining({ volumeId: volume?.volumeId, mountPath: CACHE_MOUNT_PATH }),
    ]);
    const sandbox = fake.sandbox(sandboxId);
    expect(sandbox?.volumeMounts).toEqual([
      {
        volumeId: volume?.volumeId,
        volumeName: name,
        mountPath: CACHE_MOUNT_PATH,
        readOnly: false,
        allowBackgroundCommits: true,
      },
    ]);
    // The caches point into the runner's own directory; the writer is the sandbox's name.
    expect(sandbox?.env).toMatchObject({
      RUNNER_TOOL_CACHE: `${CACHE_DIR}/toolcache`,
      AGENT_TOOLSDIRECTORY: `${CACHE_DIR}/toolcache`,
      npm_config_cache: `${CACHE_DIR}/npm`,
      PIP_CACHE_DIR: `${CACHE_DIR}/pip`,
      XDG_CACHE_HOME: `${CACHE_DIR}/xdg`,
      MGR_CACHE_VOLUME: CACHE_MOUNT_PATH,
      MGR_CACHE_MAX_BYTES: String(4 * 1024 ** 3),
      MGR_CACHE_WRITER: 'modal-cached-abc123-0001',
      MGR_CACHE_LIB: CACHE_LIBRARY,
    });
    // The runner's own entrypoint runs unchanged after the restore step.
    // The entrypoint restores after installing the job hooks, before it reads the config.
    expect(sandbox?.command).toEqual(runnerCommand(cached));
    expect(entrypointSteps(cached).map((s) => s.name)).toEqual([
      'job-hooks',
      'as-root',
      'cache-restore',
      'read-config',
      'docker-shim',
      'start-runner',
    ]);
    expect(sandbox?.command[2]).toContain(CACHE_STEP_SCRIPT);
  });

  it('a GPU class with cache mounts its volume on the V1 backend', async () => {
    const platform = setup();
    const { sandboxId } = await platform.createSandbox(spec(gpuCached, 'gpu-t4-cached-abc123-01'));
    expect(fake.requests('SandboxCreateV2')).toHaveLength(0);
    const create = fake.requests('SandboxCreate')[0] as { definition: Record<string, unknown> };
    expect(create.definition.volumeMounts).toEqual([
      expect.objectContaining({ mountPath: CACHE_MOUNT_PATH }),
    ]);
    expect(fake.sandbox(sandboxId)?.gpu).toBe('T4');
    expect(fake.sandbox(sandboxId)?.volumeMounts[0]?.volumeName).toBe(
      cacheVolumeName(DEPLOYMENT, 'gpu-t4-cached'),
    );
  });

  it('a class without cache sends no volume', async () => {
    const platform = setup();
    await platform.createSandbox(
      spec({ name: 'modal', cpu: 2, memoryMiB: 8192 }, 'modal-abc123-1'),
    );
    expect(fake.requests('VolumeGetOrCreate')).toHaveLength(0);
    const create = fake.requests('SandboxCreateV2')[0] as { definition: Record<string, unknown> };
    expect(create.definition.volumeMounts ?? []).toEqual([]);
  });
});

describe('the fake Modal refuses volumes as Modal does', () => {
  it('a name outside Modal rules, a missing volume without createIfMissing', async () => {
    setup();
    await expect(client.volumes.fromName('bad name!', { createIfMissing: true })).rejects.toThrow(
      /Invalid Volume name/,
    );
    await expect(
      client.volumes.fromName('x'.repeat(64), { createIfMissing: true }),
    ).rejects.toThrow(/shorter than 64 characters/);
    await expect(client.volumes.fromName('absent')).rejects.toThrow(/not found/);
  });

  it.each([
    ['a mount at /tmp', ['/tmp'], /cannot be mounted at '\/tmp'/],
    ['a mount at /root', ['/root'], /cannot be mounted at '\/root'/],
    ['a mount at /', ['/'], /cannot be mounted into root directory/],
    ['a mount at /mnt/../cache', ['/mnt/../cache'], /canonical, absolute path/],
    ['a relative mount', ['relative'], /canonical, absolute path/],
    ['one volume mounted twice', ['/a', '/b'], /mounted more than once/],
  ])('%s', async (_what, mountPaths, message) => {
    setup();
    const app = await client.apps.fromName('github-runners', { createIfMissing: true });
    const volume = await client.volumes.fromName('ok-volume', { createIfMissing: true });
    await expect(
      client.sandboxes.create(app, client.images.fromRegistry('alpine:3'), {
        timeoutMs: 60_000,
        volumes: Object.fromEntries(mountPaths.map((path) => [path, volume])),
      }),
    ).rejects.toThrow(message);
  });
});
