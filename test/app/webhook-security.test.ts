import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { eventually, startHarness, WEBHOOK_SECRET, type Harness } from '../../sim/harness.js';
import { sendWebhook, sign, workflowJobPayload } from '../../sim/webhooks.js';

describe('webhook input that must launch nothing', () => {
  let h: Harness;
  let before = { github: 0, modal: 0 };
  beforeAll(async () => {
    // Reconciliation makes its own calls at start; let it finish, then count only ours.
    h = await startHarness({
      timings: { reconcileIntervalMs: 3_600_000, exitWatchIntervalMs: 3_600_000 },
    });
    await h.server.reconciler.tick();
  });
  beforeEach(() => {
    before = { github: h.github.requests.length, modal: h.modal.calls.length };
  });
  afterAll(async () => h.stop());

  const nothingHappened = async () => {
    await h.server.controller.settled();
    expect(h.github.requests.slice(before.github)).toEqual([]);
    expect(h.modal.calls.slice(before.modal)).toEqual([]);
    expect(h.modal.created).toEqual([]);
    expect(
      await h.server.ledger.listJobs(['waiting', 'queued', 'in_progress', 'completed']),
    ).toEqual([]);
  };

  it.each([
    ['a signature made with another secret', (body: string) => sign('not-the-secret', body)],
    ['a malformed signature', () => 'sha256=zzzz'],
    ['an empty signature', () => ''],
    [
      'a SHA-1 style signature',
      (body: string) => sign(WEBHOOK_SECRET, body).replace('sha256=', 'sha1='),
    ],
  ])('refuses %s with 4xx and calls nobody', async (_name, signature) => {
    const payload = workflowJobPayload({ id: 1 });
    const res = await sendWebhook(h.webhookUrl, WEBHOOK_SECRET, payload, {
      signature: signature(JSON.stringify(payload)),
    });
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
    await nothingHappened();
  });

  it('refuses a signed body that was altered in flight', async () => {
    const original = JSON.stringify(workflowJobPayload({ id: 1 }));
    const tampered = JSON.stringify(
      workflowJobPayload({ id: 1, labels: ['modal', 'self-hosted'] }),
    );
    const res = await sendWebhook(h.webhookUrl, WEBHOOK_SECRET, undefined, {
      rawBody: tampered,
      signature: sign(WEBHOOK_SECRET, original),
    });
    expect(res.status).toBeGreaterThanOrEqual(400);
    await nothingHappened();
  });

  const malformed: [string, () => unknown][] = [
    ['no workflow_job', () => ({ ...workflowJobPayload({ id: 2 }), workflow_job: undefined })],
    [
      'labels not an array',
      () => {
        const p = workflowJobPayload({ id: 3 });
        (p.workflow_job as Record<string, unknown>).labels = 'modal';
        return p;
      },
    ],
    [
      'labels of numbers',
      () => {
        const p = workflowJobPayload({ id: 4 });
        (p.workflow_job as Record<string, unknown>).labels = [1, 2];
        return p;
      },
    ],
    ['no repository', () => ({ ...workflowJobPayload({ id: 5 }), repository: null })],
    [
      'a job id that is a string',
      () => {
        const p = workflowJobPayload({ id: 6 });
        (p.workflow_job as Record<string, unknown>).id = '6';
        return p;
      },
    ],
    ['an array', () => [1, 2, 3]],
  ];

  it.each(malformed)('signed payload with %s: answered, nothing launched', async (_name, make) => {
    const res = await sendWebhook(h.webhookUrl, WEBHOOK_SECRET, make());
    expect(res.status).toBeLessThan(500);
    await nothingHappened();
  });

  it('a signed JSON null is answered with an error status and crashes nothing', async () => {
    // @octokit/webhooks itself rejects a null payload (500) before any handler of ours runs.
    const res = await sendWebhook(h.webhookUrl, WEBHOOK_SECRET, null);
    expect(res.status).toBeGreaterThanOrEqual(400);
    await nothingHappened();
  });

  it('a signed body that is not JSON is refused with 400', async () => {
    const raw = '{"action": "queued", "workflow_job": ';
    const res = await sendWebhook(h.webhookUrl, WEBHOOK_SECRET, undefined, { rawBody: raw });
    expect(res.status).toBe(400);
    await nothingHappened();
  });

  it('a signed 1 MB body crashes nothing and launches nothing', async () => {
    const payload = {
      ...workflowJobPayload({ id: 8, labels: ['ubuntu-latest'] }),
      padding: 'x'.repeat(1024 * 1024),
    };
    const res = await sendWebhook(h.webhookUrl, WEBHOOK_SECRET, payload);
    expect(res.status).toBeLessThan(500);
    await nothingHappened();
  });

  it('events other than workflow_job are ignored', async () => {
    const res = await sendWebhook(
      h.webhookUrl,
      WEBHOOK_SECRET,
      { action: 'opened', installation: { id: 7 } },
      { event: 'issues' },
    );
    expect(res.status).toBeLessThan(500);
    await nothingHappened();
  });

  it('still serves a valid delivery after all of that', async () => {
    const health = await fetch(`${h.server.url}/healthz`);
    expect(health.status).toBe(200);
    const res = await sendWebhook(h.webhookUrl, WEBHOOK_SECRET, workflowJobPayload({ id: 10 }));
    expect(res.status).toBe(200);
    await eventually(() => h.modal.created.length === 1, 'the valid job launched');
    expect(h.modal.created[0]?.tags['job-id']).toBe('10');
  });
});
