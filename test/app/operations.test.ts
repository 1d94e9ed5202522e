import { afterEach, describe, expect, it } from '@jest/globals';
import {
  eventually,
  startHarness,
  testPrivateKey,
  WEBHOOK_SECRET,
  type Harness,
} from '../../sim/harness.js';
import { sendWebhook, workflowJobPayload } from '../../sim/webhooks.js';

describe('health, readiness and metrics', () => {
  let h: Harness;
  afterEach(async () => h?.stop());

  it('/healthz answers while the process lives', async () => {
    h = await startHarness();
    const res = await fetch(`${h.server.url}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok' });
  });

  it('/readyz is ready when the ledger, GitHub and Modal answer, and caches its probes', async () => {
    h = await startHarness();
    const first = await fetch(`${h.server.url}/readyz`);
    const body = await first.json();
    expect(body).toEqual({
      status: 'ready',
      checks: { ledger: { status: 'ok' }, github: { status: 'ok' }, modal: { status: 'ok' } },
    });
    const appCalls = () => h.github.requestsTo('GET', /^\/app$/).length;
    const before = appCalls();
    await fetch(`${h.server.url}/readyz`);
    await fetch(`${h.server.url}/readyz`);
    expect(appCalls()).toBe(before);
  });

  it('/readyz says which dependency fails, without secrets', async () => {
    h = await startHarness();
    h.github.faultHook = (req) =>
      req.path === '/app'
        ? { status: 401, body: { message: 'A JSON web token could not be decoded' } }
        : undefined;
    const res = await fetch(`${h.server.url}/readyz`);
    expect(res.status).toBe(503);
    const body = (await res.json()) as {
      checks: Record<string, { status: string; error?: string }>;
    };
    expect(body.checks.github?.status).toBe('failing');
    expect(body.checks.github?.error).toMatch(/401/);
    expect(body.checks.modal?.status).toBe('ok');
    const text = JSON.stringify(body);
    expect(text).not.toContain(testPrivateKey().split('\n')[1]!);
    expect(text).not.toContain(WEBHOOK_SECRET);
  });

  it('/metrics counts webhooks, launches, runners, job wait and GitHub rate limit', async () => {
    h = await startHarness();
    await sendWebhook(h.webhookUrl, WEBHOOK_SECRET, workflowJobPayload({ id: 5 }));
    await sendWebhook(
      h.webhookUrl,
      WEBHOOK_SECRET,
      workflowJobPayload({ id: 6, labels: ['ubuntu-latest'] }),
    );
    await eventually(() => h.modal.created.length === 1, 'launched');
    await h.server.controller.settled();
    const runnerName = h.modal.created[0]!.name!;
    await sendWebhook(
      h.webhookUrl,
      WEBHOOK_SECRET,
      workflowJobPayload({ id: 5, action: 'in_progress', runnerName }),
    );

    const res = await fetch(`${h.server.url}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/text\/plain/);
    const text = await res.text();
    expect(text).toMatch(
      /modal_runner_webhooks_total\{event="workflow_job",action="queued",outcome="recorded"\} 1/,
    );
    expect(text).toMatch(
      /modal_runner_webhooks_total\{event="workflow_job",action="queued",outcome="ignored"\} 1/,
    );
    expect(text).toMatch(/modal_runner_launches_total\{class="modal",result="success"\} 1/);
    expect(text).toMatch(/modal_runner_launch_duration_seconds_count\{class="modal"\} 1/);
    expect(text).toMatch(/modal_runner_runners\{class="modal",state="busy"\} 1/);
    expect(text).toMatch(/modal_runner_jobs\{state="in_progress"\} 1/);
    expect(text).toMatch(/modal_runner_job_wait_seconds_count\{class="modal"\} 1/);
    const remaining = Number(/modal_runner_github_rate_limit_remaining (\d+)/.exec(text)?.[1]);
    expect(remaining).toBeGreaterThan(4900);
    expect(remaining).toBeLessThan(5000);
    expect(text).toMatch(/modal_runner_process_resident_memory_bytes \d+/);
  });
});
