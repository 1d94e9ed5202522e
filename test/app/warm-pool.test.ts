import { afterEach, describe, expect, it } from '@jest/globals';
import { eventually, startHarness, WEBHOOK_SECRET, type Harness } from '../../sim/harness.js';
import { attachFakeRunners } from '../../sim/fake-runners.js';
import { sendWebhook, workflowJobPayload } from '../../sim/webhooks.js';

const CLASSES = JSON.stringify({ modal: { cpu: 2, memoryMiB: 8192, warmPool: 2 } });

describe('a warm pool per class', () => {
  let h: Harness;
  afterEach(async () => h?.stop());

  it('keeps booted sandboxes waiting; a job takes one (no create on its path) and the pool refills', async () => {
    h = await startHarness({ env: { RUNNER_CLASSES: CLASSES } });
    await eventually(
      async () =>
        (await h.server.ledger.listRunners(['warm'])).filter((r) => r.sandboxId).length === 2,
      'two warm sandboxes',
    );
    const warmIds = h.modal.created.map((s) => s.sandboxId);
    expect(warmIds).toHaveLength(2);
    for (const sandbox of h.modal.created) {
      expect(sandbox.stdin.text).toBe('');
      expect(sandbox.tags).toMatchObject({ warm: 'true', 'runner-class': 'modal' });
      // It waits on stdin for as long as it may be used, not the default 120 s.
      expect(Number(sandbox.env.MGR_CONFIG_WAIT_SECONDS)).toBeGreaterThan(120);
    }
    expect(h.github.runners.size).toBe(0); // warm sandboxes are not registered

    await sendWebhook(h.webhookUrl, WEBHOOK_SECRET, workflowJobPayload({ id: 41 }));
    await eventually(
      () => h.modal.created.some((s) => s.stdin.eof),
      'a warm sandbox got the config',
    );
    const used = h.modal.created.find((s) => s.stdin.eof)!;
    expect(warmIds).toContain(used.sandboxId);
    const jit = [...h.github.runners.values()][0]!.encodedJitConfig;
    expect(used.stdin.text).toBe(`${jit}\n`);
    await eventually(
      async () => (await h.server.ledger.getRunner(used.name as string))?.state === 'booting',
      'the runner is booting',
    );
    const runner = await h.server.ledger.getRunner(used.name as string);
    expect(runner).toMatchObject({
      state: 'booting',
      launchedForJobId: 41,
      scope: { kind: 'org', org: 'acme' },
      installationId: 7,
    });
    // Refilled: two warm again, three sandboxes in all.
    await eventually(
      async () =>
        (await h.server.ledger.listRunners(['warm'])).filter((r) => r.sandboxId).length === 2,
      'pool refilled',
    );
    expect(h.modal.created).toHaveLength(3);
  });

  it('a warm pool stays inside MAX_RUNNERS, and jobs run on warm runners to completion', async () => {
    h = await startHarness({ env: { RUNNER_CLASSES: CLASSES, MAX_RUNNERS: '3' } });
    const runners = attachFakeRunners(h.github, h.modal, { bootMs: 5, jobMs: 30 });
    try {
      for (const id of [51, 52, 53, 54, 55]) {
        h.github.addJob({ id, runId: id * 10, repo: 'acme/api', labels: ['self-hosted', 'modal'] });
        await sendWebhook(h.webhookUrl, WEBHOOK_SECRET, workflowJobPayload({ id }));
      }
      await eventually(
        () => runners.stats.jobsRun === 5,
        () => `jobs run: ${runners.stats.jobsRun}`,
        20_000,
      );
      expect(h.modal.maxLiveCount).toBeLessThanOrEqual(3);
      await eventually(
        async () =>
          (await h.server.ledger.listRunners(['warm'])).filter((r) => r.sandboxId).length === 2,
        'pool refilled after the burst',
      );
    } finally {
      runners.detach();
    }
  });
});
