import { afterEach, describe, expect, it } from '@jest/globals';
import { deploymentTag } from '../../src/domain/runner-name.js';
import {
  eventually,
  startHarness,
  testPrivateKey,
  WEBHOOK_SECRET,
  type Harness,
} from '../../sim/harness.js';
import { sendWebhook, workflowJobPayload } from '../../sim/webhooks.js';

const JIT_PATH_ORG = /^\/orgs\/acme\/actions\/runners\/generate-jitconfig$/;

/** Sandboxes that have read their whole config on stdin. */
const configured = (h: Harness) => h.modal.created.filter((s) => s.stdin.eof).length;

describe('a queued job gets one runner in one sandbox', () => {
  let h: Harness;
  afterEach(async () => h?.stop());

  it('mints an org-level JIT config and creates the sandbox the SDK really describes', async () => {
    h = await startHarness({
      env: {
        RUNNER_CLASSES:
          '{"modal":{"cpu":2,"memoryMiB":8192},"modal-big":{"cpu":8,"memoryMiB":32768,"timeoutMinutes":90}}',
        RUNNER_GROUP_ID: '3',
      },
    });
    const res = await sendWebhook(
      h.webhookUrl,
      WEBHOOK_SECRET,
      workflowJobPayload({ id: 501, labels: ['self-hosted', 'Linux', 'modal-big'] }),
    );
    expect(res.status).toBe(200);
    await eventually(() => configured(h) === 1, 'sandbox created and configured');

    const mints = h.github.requestsTo('POST', JIT_PATH_ORG);
    expect(mints).toHaveLength(1);
    const body = mints[0]?.body as { name: string; runner_group_id: number; labels: string[] };
    expect(body.runner_group_id).toBe(3);
    expect(body.labels).toEqual(['self-hosted', 'Linux', 'X64', 'modal-big']);
    // `<class>-<deployment tag>-<random>`; the harness's App 12345 and Modal App github-runners.
    expect(body.name).toMatch(/^modal-big-[0-9a-f]{6}-[0-9a-f]{10}$/);
    expect(body.name.split('-')[2]).toBe(deploymentTag('app-12345.github-runners'));
    expect(body.name.length).toBeLessThan(64);
    expect(mints[0]?.authorization).toMatch(/^token ghs_/);

    const sandbox = h.modal.created[0]!;
    const runner = [...h.github.runners.values()][0]!;
    expect(sandbox.name).toBe(body.name);
    expect(sandbox.imageTag).toBe('ghcr.io/actions/actions-runner:2.334.0');
    expect(sandbox.timeoutSecs).toBe(90 * 60);
    expect(sandbox.milliCpu).toBe(8000);
    expect(sandbox.memoryMb).toBe(32768);
    expect(sandbox.gpu).toBeUndefined();
    // The JIT config reached the sandbox on stdin only: not its environment, not its command.
    expect(sandbox.stdin).toMatchObject({ text: `${runner.encodedJitConfig}\n`, eof: true });
    expect(sandbox.env).toEqual({});
    expect(sandbox.command.join(' ')).not.toContain(runner.encodedJitConfig);
    expect(sandbox.tags).toMatchObject({
      'managed-by': 'app-12345.github-runners',
      'runner-class': 'modal-big',
      org: 'acme',
      repo: 'acme/api',
      'job-id': '501',
      'runner-name': body.name,
    });
    await eventually(
      async () => (await h.server.ledger.getRunner(body.name))?.state === 'booting',
      'runner booting',
    );
    expect((await h.server.ledger.getRunner(body.name))?.sandboxId).toBe(sandbox.sandboxId);
  });

  it('uses the repository endpoint for a repository of a user account', async () => {
    h = await startHarness();
    await sendWebhook(
      h.webhookUrl,
      WEBHOOK_SECRET,
      workflowJobPayload({ id: 9, repo: 'jane/dots', ownerType: 'User' }),
    );
    await eventually(() => configured(h) === 1, 'sandbox created and configured');
    expect(
      h.github.requestsTo('POST', /^\/repos\/jane\/dots\/actions\/runners\/generate-jitconfig$/),
    ).toHaveLength(1);
    expect(h.github.requestsTo('POST', /^\/orgs\//)).toHaveLength(0);
    expect(h.modal.created[0]?.tags.org).toBe('jane');
  });

  it('gives a GPU class a GPU sandbox (Modal V1 path) with the class timeout default', async () => {
    h = await startHarness({
      env: {
        RUNNER_CLASSES: '{"modal-gpu":{"cpu":4,"memoryMiB":16384,"gpu":"H100"}}',
        SANDBOX_TIMEOUT_MINUTES: '45',
      },
    });
    await sendWebhook(
      h.webhookUrl,
      WEBHOOK_SECRET,
      workflowJobPayload({ id: 77, labels: ['modal-gpu'] }),
    );
    await eventually(() => configured(h) === 1, 'sandbox created and configured');
    const sandbox = h.modal.created[0]!;
    expect(sandbox.kind).toBe('v1');
    expect(sandbox.gpu).toMatch(/H100/);
    expect(sandbox.timeoutSecs).toBe(45 * 60);
    const jit = [...h.github.runners.values()][0]!.encodedJitConfig;
    expect(sandbox.stdin).toMatchObject({ text: `${jit}\n`, eof: true });
    expect(sandbox.env).toEqual({});
    expect(sandbox.command.join(' ')).not.toContain(jit);
  });

  it('answers the webhook before any GitHub or Modal call completes', async () => {
    h = await startHarness();
    h.github.latencyMs = 1500;
    const res = await sendWebhook(h.webhookUrl, WEBHOOK_SECRET, workflowJobPayload({ id: 1 }));
    expect(res.status).toBe(200);
    expect(res.ms).toBeLessThan(1000);
    expect(h.github.runners.size).toBe(0);
    expect(configured(h)).toBe(0);
    await eventually(() => configured(h) === 1, 'sandbox configured eventually', 15_000);
  });

  it('creates the sandbox while GitHub is still minting its JIT config, then delivers it', async () => {
    h = await startHarness();
    h.github.latencyMs = 800;
    await sendWebhook(h.webhookUrl, WEBHOOK_SECRET, workflowJobPayload({ id: 2 }));
    // The sandbox exists (booting, waiting on stdin) before GitHub has answered the mint.
    await eventually(() => h.modal.created.length === 1, 'sandbox created', 5_000);
    expect(h.github.runners.size).toBe(0);
    expect(h.modal.created[0]?.stdin.text).toBe('');
    await eventually(() => configured(h) === 1, 'config delivered', 15_000);
    const jit = [...h.github.runners.values()][0]!.encodedJitConfig;
    expect(h.modal.created[0]?.stdin.text).toBe(`${jit}\n`);
  });

  it('logs with job context and never logs a secret', async () => {
    h = await startHarness();
    await sendWebhook(h.webhookUrl, WEBHOOK_SECRET, workflowJobPayload({ id: 4242, runId: 99 }));
    await eventually(() => h.logs.text.includes('runner launched'), 'launch logged');
    const launched = h.logs.parsed().find((l) => l.msg === 'runner launched')!;
    expect(launched).toMatchObject({ jobId: 4242, runId: 99, repo: 'acme/api', class: 'modal' });
    expect(launched.runnerName).toMatch(/^modal-[0-9a-f]{6}-[0-9a-f]{10}$/);
    expect(launched.sandboxId).toBe(h.modal.created[0]?.sandboxId);
    const recorded = h.logs.parsed().find((l) => l.msg === 'job recorded')!;
    expect(recorded).toMatchObject({ jobId: 4242, runId: 99, repo: 'acme/api', class: 'modal' });
    expect(typeof recorded.deliveryId).toBe('string');

    const secrets = [
      ...h.github.mintedJitConfigs,
      ...h.github.issuedTokens,
      WEBHOOK_SECRET,
      testPrivateKey().split('\n')[1]!,
    ];
    expect(secrets.length).toBeGreaterThanOrEqual(4);
    for (const secret of secrets) expect(h.logs.text).not.toContain(secret);
  });
});
