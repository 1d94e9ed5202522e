import { afterEach, describe, expect, it } from '@jest/globals';
import { Status } from 'nice-grpc-common';
import { eventually, startHarness, WEBHOOK_SECRET, type Harness } from '../support/harness.js';
import { sendWebhook, workflowJobPayload } from '../support/webhooks.js';

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
    await eventually(() => h.modal.created.length === 1, 'sandbox created after the retry');
    await h.server.controller.settled();
    expect(h.github.requestsTo('POST', JIT)).toHaveLength(2);
    expect(h.github.runners.size).toBe(1);
    expect(h.modal.created).toHaveLength(1);
    expect(h.modal.created[0]?.env.ACTIONS_RUNNER_INPUT_JITCONFIG).toBe(
      [...h.github.runners.values()][0]?.encodedJitConfig,
    );
  });

  it('recovers when a 502 hid a mint that succeeded (409 on retry): one live registration, one sandbox', async () => {
    h = await startHarness();
    h.github.failNext('POST', JIT, 502, { afterEffect: true });
    await sendWebhook(h.webhookUrl, WEBHOOK_SECRET, workflowJobPayload({ id: 33 }));
    await eventually(() => h.modal.created.length === 1, 'sandbox created');
    await h.server.controller.settled();
    expect(h.github.runners.size).toBe(1);
    const runner = [...h.github.runners.values()][0]!;
    expect(h.modal.created[0]?.env.ACTIONS_RUNNER_INPUT_JITCONFIG).toBe(runner.encodedJitConfig);
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
    expect(h.modal.created).toHaveLength(0);
    const res = await fetch(`${h.server.url}/healthz`);
    expect(res.status).toBe(200);
  });
});
