import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { StatusSnapshot } from '../../src/status/status-snapshot.js';
import { eventually, startHarness, WEBHOOK_SECRET, type Harness } from '../../sim/harness.js';
import { sendWebhook, workflowJobPayload } from '../../sim/webhooks.js';

const TOKEN = 'status-token-for-tests-0123456789';

/** A server with MAX_RUNNERS=2 and four queued jobs: two launched, two waiting on the cap. */
async function busyServer(env: Record<string, string> = {}): Promise<Harness> {
  const h = await startHarness({
    env: { MAX_RUNNERS: '2', ALLOWED_REPOS: 'acme/*', ...env },
    timings: { statusSampleMs: 50 },
  });
  for (const id of [1, 2, 3, 4]) {
    h.github.addJob({ id, runId: id * 10, repo: 'acme/api', labels: ['self-hosted', 'modal'] });
    const answer = await sendWebhook(
      h.webhookUrl,
      WEBHOOK_SECRET,
      workflowJobPayload({ id, repo: 'acme/api' }),
    );
    expect(answer.status).toBe(200);
  }
  // Refused: not in ALLOWED_REPOS.
  await sendWebhook(
    h.webhookUrl,
    WEBHOOK_SECRET,
    workflowJobPayload({ id: 99, repo: 'stranger/repo' }),
  );
  await eventually(() => h.modal.liveCount() === 2, 'two sandboxes live');
  await h.server.controller.settled();
  return h;
}

describe('/status and /status.json with STATUS_TOKEN', () => {
  let h: Harness;
  let base: string;
  beforeAll(async () => {
    h = await busyServer({ STATUS_TOKEN: TOKEN });
    base = h.server.url;
  });
  afterAll(async () => h.stop());

  it.each<[string, Record<string, string>]>([
    ['no credentials', {}],
    ['a wrong bearer token', { authorization: 'Bearer not-the-token-0123456789' }],
    ['a wrong password', { authorization: `Basic ${Buffer.from('ops:nope').toString('base64')}` }],
    [
      'the token as user name instead of password',
      { authorization: `Basic ${Buffer.from(`${TOKEN}:`).toString('base64')}` },
    ],
  ])(
    'refuses %s with 401 and a Basic challenge, for the page and the JSON',
    async (_name, headers) => {
      for (const path of ['/status', '/status.json']) {
        const response = await fetch(`${base}${path}`, { headers });
        expect(response.status).toBe(401);
        expect(response.headers.get('www-authenticate')).toMatch(/^Basic realm=/);
        const body = await response.text();
        expect(body).toContain('STATUS_TOKEN');
        expect(body).not.toContain('acme/api');
      }
    },
  );

  it('serves the snapshot as JSON to a bearer token: runners, queue with reasons, refusals', async () => {
    const response = await fetch(`${base}/status.json`, {
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    const snapshot = (await response.json()) as StatusSnapshot;
    expect(snapshot.summary).toMatchObject({ liveRunners: 2, queuedJobs: 4, maxRunners: 2 });
    expect(snapshot.runners).toHaveLength(2);
    for (const r of snapshot.runners) {
      expect(r).toMatchObject({ runnerClass: 'modal', repo: 'acme/api' });
      expect(r.sandboxId).toEqual(expect.any(String));
      expect(h.modal.sandbox(r.sandboxId as string)).toBeDefined();
    }
    expect(snapshot.queue.map((q) => q.position)).toEqual([1, 2, 3, 4]);
    expect(snapshot.queue.filter((q) => q.reason === 'cap')).toHaveLength(2);
    expect(snapshot.queue.filter((q) => q.reason === 'runner-starting')).toHaveLength(2);
    expect(snapshot.failures).toEqual([
      expect.objectContaining({
        kind: 'refused',
        subject: 'stranger/repo#99',
        cause: expect.stringContaining('ALLOWED_REPOS'),
      }),
    ]);
    await eventually(async () => {
      const again = (await (
        await fetch(`${base}/status.json`, { headers: { authorization: `Bearer ${TOKEN}` } })
      ).json()) as StatusSnapshot;
      return again.history.length >= 2 && again.history.some((s) => s.liveRunners === 2);
    }, 'the chart samples the live runners');
  });

  it('serves HTML that cannot run scripts to Basic auth with the token as password', async () => {
    const response = await fetch(`${base}/status`, {
      headers: { authorization: `Basic ${Buffer.from(`ops:${TOKEN}`).toString('base64')}` },
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
    expect(response.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(response.headers.get('cache-control')).toBe('no-store');
    const html = await response.text();
    expect(html).not.toMatch(/<script/i);
    expect(html).toContain('MAX_RUNNERS reached');
  });

  it('answers HEAD without a body and refuses other methods', async () => {
    const head = await fetch(`${base}/status`, {
      method: 'HEAD',
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    expect(head.status).toBe(200);
    expect(await head.text()).toBe('');
    const post = await fetch(`${base}/status`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    expect(post.status).toBe(405);
  });

  it('never writes the token, the webhook secret or a JIT config into the page, the JSON or the logs', async () => {
    const auth = { authorization: `Bearer ${TOKEN}` };
    const page = await (await fetch(`${base}/status`, { headers: auth })).text();
    const json = await (await fetch(`${base}/status.json`, { headers: auth })).text();
    const secrets = [TOKEN, WEBHOOK_SECRET, ...h.github.mintedJitConfigs];
    expect(h.github.mintedJitConfigs.length).toBeGreaterThanOrEqual(2);
    for (const secret of secrets) {
      expect(page).not.toContain(secret);
      expect(json).not.toContain(secret);
      expect(h.logs.text).not.toContain(secret);
    }
  });

  // Last: this request puts the token in a URL, which the HTTP access log records.
  it('does not take the token from the query string (it would land in access logs)', async () => {
    const response = await fetch(`${base}/status.json?token=${TOKEN}`);
    expect(response.status).toBe(401);
  });
});

describe('/status without STATUS_TOKEN', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => h.stop());

  it('is off: 404 that says how to turn it on, whatever the credentials', async () => {
    for (const path of ['/status', '/status.json']) {
      const response = await fetch(`${h.server.url}${path}`, {
        headers: { authorization: 'Bearer anything-at-all-123' },
      });
      expect(response.status).toBe(404);
      expect(await response.text()).toContain('set STATUS_TOKEN');
    }
  });
});
