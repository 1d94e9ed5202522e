import { afterEach, describe, expect, it } from '@jest/globals';
import { eventually, startHarness, WEBHOOK_SECRET, type Harness } from '../../sim/harness.js';
import { sendWebhook, workflowJobPayload } from '../../sim/webhooks.js';

describe('health and metrics', () => {
  let h: Harness;
  afterEach(async () => h?.stop());

  it('/healthz answers while the process lives', async () => {
    h = await startHarness();
    const res = await fetch(`${h.server.url}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok' });
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

  describe('with METRICS_TOKEN', () => {
    const TOKEN = 'metrics-token-0123456789abcdef';
    const scrape = (authorization?: string) =>
      fetch(`${h.server.url}/metrics`, {
        headers: authorization === undefined ? {} : { authorization },
      });
    const basic = (user: string, password: string) =>
      `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

    it('answers 401 without the token, or with another, and says how to send it', async () => {
      h = await startHarness({ env: { METRICS_TOKEN: TOKEN } });
      for (const authorization of [
        undefined,
        'Bearer not-the-token-0123456789',
        basic('prometheus', 'not-the-token'),
        `Bearer ${TOKEN}x`,
        TOKEN,
      ]) {
        const res = await scrape(authorization);
        expect(res.status).toBe(401);
        expect(res.headers.get('www-authenticate')).toMatch(/^Basic realm=/);
        const body = await res.text();
        expect(body).toContain('METRICS_TOKEN');
        expect(body).not.toContain('modal_runner_');
      }
    });

    it('serves the metrics with the token as a bearer token or as the Basic password', async () => {
      h = await startHarness({ env: { METRICS_TOKEN: TOKEN } });
      for (const authorization of [`Bearer ${TOKEN}`, basic('prometheus', TOKEN)]) {
        const res = await scrape(authorization);
        expect(res.status).toBe(200);
        expect(await res.text()).toMatch(/^# HELP modal_runner_webhooks_total /m);
      }
    });

    it('does not open /status: STATUS_TOKEN and METRICS_TOKEN are separate', async () => {
      h = await startHarness({ env: { METRICS_TOKEN: TOKEN } });
      const res = await fetch(`${h.server.url}/status.json`, {
        headers: { authorization: `Bearer ${TOKEN}` },
      });
      expect(res.status).toBe(404);
    });
  });
});
