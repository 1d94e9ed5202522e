import { afterEach, describe, expect, it } from '@jest/globals';
import { CACHE_MOUNT_PATH, cacheVolumeName } from '../../src/cache/cache-volume.js';
import { eventually, startHarness, WEBHOOK_SECRET, type Harness } from '../../sim/harness.js';
import { sendWebhook, workflowJobPayload } from '../../sim/webhooks.js';

/** The harness's deployment: App 12345, Modal App github-runners. */
const DEPLOYMENT = 'app-12345.github-runners';

describe('a job of a class with cache, through the real server', () => {
  let h: Harness;
  afterEach(async () => h?.stop());

  it('gets a GPU sandbox with the class cache volume mounted, and its config on stdin only', async () => {
    h = await startHarness({
      env: {
        RUNNER_CLASSES: JSON.stringify({
          modal: { cpu: 2, memoryMiB: 8192 },
          'gpu-cached': {
            cpu: 4,
            memoryMiB: 16384,
            gpu: 'T4',
            cache: { sizeGiB: 30, ttlDays: 7 },
          },
        }),
      },
    });
    const res = await sendWebhook(
      h.webhookUrl,
      WEBHOOK_SECRET,
      workflowJobPayload({ id: 77, labels: ['self-hosted', 'gpu-cached'] }),
    );
    expect(res.status).toBe(200);
    await eventually(() => h.modal.created.some((s) => s.stdin.eof), 'sandbox configured');

    const sandbox = h.modal.created[0]!;
    const runner = [...h.github.runners.values()][0]!;
    const name = cacheVolumeName(DEPLOYMENT, 'gpu-cached');
    expect(sandbox.kind).toBe('v1');
    expect(sandbox.gpu).toBe('T4');
    expect(sandbox.volumeMounts).toEqual([
      expect.objectContaining({ volumeName: name, mountPath: CACHE_MOUNT_PATH, readOnly: false }),
    ]);
    expect(h.modal.volume(name)).toBeDefined();
    expect(sandbox.env.MGR_CACHE_MAX_BYTES).toBe(String(30 * 1024 ** 3));
    expect(sandbox.env.MGR_CACHE_WRITER).toBe(sandbox.name);
    // The secret still travels on stdin only.
    expect(sandbox.stdin.text).toBe(`${runner.encodedJitConfig}\n`);
    expect(JSON.stringify(sandbox.env)).not.toContain(runner.encodedJitConfig);
    expect(sandbox.command.join(' ')).not.toContain(runner.encodedJitConfig);
  });
});
