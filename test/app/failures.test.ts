import { afterEach, describe, expect, it } from '@jest/globals';
import { Status } from 'nice-grpc-common';
import { eventually, startHarness, WEBHOOK_SECRET, type Harness } from '../../sim/harness.js';
import { sendWebhook, workflowJobPayload } from '../../sim/webhooks.js';

const JIT = /\/actions\/runners\/generate-jitconfig$/;

describe('launch failures', () => {
  let h: Harness;
  afterEach(async () => h?.stop());

  it('deletes the registration when the sandbox cannot be created after the JIT config was minted', async () => {
    h = await startHarness();
    h.modal.failNext('SandboxCreateV2', Status.INVALID_ARGUMENT, 1, { details: 'bad image' });
    await sendWebhook(h.webhookUrl, WEBHOOK_SECRET, workflowJobPayload({ id: 31 }));
    await eventually(
      () => h.github.requestsTo('DELETE', /\/actions\/runners\/\d+$/).length === 1,
      'registration deleted',
    );
    await h.server.controller.settled();

    const minted = h.github.requestsTo('POST', JIT);
    expect(minted).toHaveLength(1);
    expect(h.github.runners.size).toBe(0);
    expect(h.modal.liveCount()).toBe(0);
    const job = await h.server.ledger.getJob(31);
    expect(job).toMatchObject({ status: 'queued', launchAttempts: 1 });
    expect(job?.lastError).toMatch(/bad image/);
    expect(job!.nextAttemptAt).toBeGreaterThan(Date.now());
    const failed = await h.server.ledger.listRunners(['failed']);
    expect(failed).toHaveLength(1);
    const error = h.logs.parsed().find((l) => l.msg === 'launch failed');
    expect(error).toMatchObject({ jobId: 31, repo: 'acme/api', class: 'modal' });
  });

  it('retries a GitHub 502 and ends with exactly one runner and one sandbox', async () => {
    h = await startHarness();
    h.github.failNext('POST', JIT, 502);
    await sendWebhook(h.webhookUrl, WEBHOOK_SECRET, workflowJobPayload({ id: 32 }));
    await eventually(() => h.modal.created[0]?.stdin.eof === true, 'configured after the retry');
    await h.server.controller.settled();
    expect(h.github.requestsTo('POST', JIT)).toHaveLength(2);
    expect(h.github.runners.size).toBe(1);
    expect(h.modal.created).toHaveLength(1);
    expect(h.modal.created[0]?.stdin.text).toBe(
      `${[...h.github.runners.values()][0]?.encodedJitConfig}\n`,
    );
  });

  it('recovers when a 502 hid a mint that succeeded (409 on retry): one live registration, one sandbox', async () => {
    h = await startHarness();
    h.github.failNext('POST', JIT, 502, { afterEffect: true });
    await sendWebhook(h.webhookUrl, WEBHOOK_SECRET, workflowJobPayload({ id: 33 }));
    await eventually(() => h.modal.created[0]?.stdin.eof === true, 'sandbox configured');
    await h.server.controller.settled();
    expect(h.github.runners.size).toBe(1);
    const runner = [...h.github.runners.values()][0]!;
    expect(h.modal.created[0]?.stdin.text).toBe(`${runner.encodedJitConfig}\n`);
  });

  it('retries Modal RESOURCE_EXHAUSTED and UNAVAILABLE, then launches once', async () => {
    h = await startHarness();
    h.modal.failNext('SandboxCreateV2', Status.RESOURCE_EXHAUSTED, 1);
    h.modal.failNext('SandboxCreateV2', Status.UNAVAILABLE, 1);
    await sendWebhook(h.webhookUrl, WEBHOOK_SECRET, workflowJobPayload({ id: 34 }));
    await eventually(() => h.modal.created.length === 1, 'sandbox created', 20_000);
    await h.server.controller.settled();
    expect(h.github.runners.size).toBe(1);
    expect(h.github.requestsTo('POST', JIT)).toHaveLength(1);
  });

  it('a config that cannot be delivered: sandbox terminated, registration deleted, job backs off', async () => {
    h = await startHarness({
      env: { RUNNER_CLASSES: '{"modal-gpu":{"cpu":4,"memoryMiB":16384,"gpu":"T4"}}' },
    });
    h.modal.failNext('SandboxStdinWrite', Status.PERMISSION_DENIED, 1);
    await sendWebhook(
      h.webhookUrl,
      WEBHOOK_SECRET,
      workflowJobPayload({ id: 36, labels: ['modal-gpu'] }),
    );
    await eventually(() => h.logs.text.includes('launch failed'), 'failure logged');
    await h.server.controller.settled();
    expect(h.modal.liveCount()).toBe(0);
    expect(h.github.runners.size).toBe(0); // minted, then deleted
    expect(h.github.mintedJitConfigs).toHaveLength(1);
    const job = await h.server.ledger.getJob(36);
    expect(job).toMatchObject({ status: 'queued', launchAttempts: 1 });
    expect(job?.lastError).toMatch(/deliver-config/);
    expect(h.logs.text).not.toContain(h.github.mintedJitConfigs[0]);
  });

  it('logs a permanent GitHub error with its fix and keeps serving', async () => {
    h = await startHarness();
    h.github.failNext('POST', JIT, 403, {
      body: { message: 'Resource not accessible by integration' },
    });
    await sendWebhook(h.webhookUrl, WEBHOOK_SECRET, workflowJobPayload({ id: 35 }));
    await eventually(() => h.logs.text.includes('launch failed'), 'failure logged');
    const line = h.logs.parsed().find((l) => l.msg === 'launch failed') as {
      err: { message: string };
    };
    expect(line.err.message).toMatch(/organization_self_hosted_runners/);
    // The sandbox created while GitHub refused is terminated, never configured.
    await h.server.controller.settled();
    expect(h.modal.liveCount()).toBe(0);
    expect(h.modal.created.every((s) => s.stdin.text === '')).toBe(true);
    const res = await fetch(`${h.server.url}/healthz`);
    expect(res.status).toBe(200);
  });

  it('a GitHub that stops answering: the call is abandoned at its deadline and the job backs off', async () => {
    h = await startHarness({
      timings: {
        githubCallTimeoutMs: 300,
        retryPolicy: { attempts: 1, baseDelayMs: 10, maxDelayMs: 10 },
      },
    });
    h.github.latencyMs = 5_000;
    const sent = Date.now();
    await sendWebhook(h.webhookUrl, WEBHOOK_SECRET, workflowJobPayload({ id: 38 }));
    await eventually(
      async () => ((await h.server.ledger.getJob(38))?.launchAttempts ?? 0) > 0,
      'launch failed at the deadline',
      4_000,
    );
    expect(Date.now() - sent).toBeLessThan(4_000);
    expect((await h.server.ledger.getJob(38))?.lastError).toMatch(
      /could not reach GitHub \(timeout\)/,
    );
    h.github.latencyMs = 0;
  });
});

describe('time-based decisions without a webhook', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.stop();
    h = undefined;
  });

  it('a job whose launch failed is launched again when its backoff ends, not at the next reconciliation', async () => {
    // Reconciliation every 60 s (the default): only the controller's own wake-up can be quick.
    h = await startHarness({
      timings: {
        retryPolicy: { attempts: 1, baseDelayMs: 10, maxDelayMs: 10 },
        launchBackoff: { baseDelayMs: 400, maxDelayMs: 400 },
      },
    });
    h.github.failNext('POST', /generate-jitconfig$/, 502);
    await sendWebhook(h.webhookUrl, WEBHOOK_SECRET, workflowJobPayload({ id: 41 }));
    await eventually(
      async () => ((await h!.server.ledger.getJob(41))?.launchAttempts ?? 0) === 1,
      'first launch failed',
    );
    await eventually(() => h!.github.runners.size === 1, 'launched again after the backoff', 3_000);
  });
});

describe('a runner GitHub says is busy', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.stop();
    h = undefined;
  });

  it('is retired once, marked busy on the 422, and never retried in a loop while it stays busy', async () => {
    h = await startHarness({ timings: { idleGraceMs: 20 } });
    await sendWebhook(h.webhookUrl, WEBHOOK_SECRET, workflowJobPayload({ id: 40 }));
    await eventually(() => h!.github.runners.size === 1, 'runner registered');
    const registration = [...h.github.runners.values()][0]!;
    // Another job took the runner, but its in_progress webhook never came; then job 40 is
    // cancelled before any runner started it, so our runner looks like surplus.
    registration.busy = true;
    registration.status = 'online';
    await sendWebhook(
      h.webhookUrl,
      WEBHOOK_SECRET,
      workflowJobPayload({ id: 40, action: 'completed', conclusion: 'cancelled' }),
    );
    await eventually(
      async () => (await h!.server.ledger.getRunner(registration.name))?.state === 'busy',
      'runner marked busy after the 422',
    );
    // Two seconds of plans and reconciliations with GitHub answering in milliseconds.
    await new Promise((r) => setTimeout(r, 2_000));
    const deletes = h.github.requestsTo('DELETE', /\/actions\/runners\/\d+$/);
    expect(deletes.length).toBeGreaterThanOrEqual(1);
    expect(deletes.length).toBeLessThanOrEqual(3);
    expect(h.modal.liveCount()).toBe(1);
  });
});
