import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { request } from 'node:http';
import { MAX_WEBHOOK_BODY_BYTES } from '../../src/http/webhook-door.js';
import { eventually, startHarness, WEBHOOK_SECRET, type Harness } from '../../sim/harness.js';
import { sendWebhook, sign, workflowJobPayload } from '../../sim/webhooks.js';

const MB = 1024 * 1024;

/**
 * POSTs `totalBytes` of body in 64 KiB chunks (one buffer, written again and again, so the
 * sender holds no more than that), with a declared length or chunked. Writes one chunk at a
 * time and yields between chunks, so that it sees the answer as soon as it comes; stops when
 * the server answers or closes the connection. Resolves with the status and the bytes written.
 */
async function streamBody(
  url: string,
  totalBytes: number,
  mode: 'declared-length' | 'chunked',
): Promise<{ status: number; sentBytes: number }> {
  const chunk = Buffer.alloc(64 * 1024, 'x');
  let status: number | undefined;
  let closed = false;
  let failure: Error | undefined;
  const req = request(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-github-event': 'workflow_job',
      'x-github-delivery': 'oversized-1',
      'x-hub-signature-256': sign(WEBHOOK_SECRET, 'not the body'),
      ...(mode === 'declared-length' ? { 'content-length': String(totalBytes) } : {}),
    },
  });
  const answered = new Promise<void>((resolve) => {
    req.on('response', (res) => {
      status = res.statusCode;
      res.resume();
      resolve();
    });
    req.on('close', () => {
      closed = true;
      resolve();
    });
  });
  // The server closes the connection some time after its 413: writes still in flight then
  // fail (EPIPE, ECONNRESET, ECANCELED). That is expected once it has answered, not before.
  req.on('error', (error) => {
    if (status === undefined) failure = error;
  });
  req.on('socket', (socket) => socket.on('error', () => {}));
  let sentBytes = 0;
  while (sentBytes < totalBytes && status === undefined && !closed) {
    sentBytes += chunk.length;
    if (!req.write(chunk)) {
      await Promise.race([new Promise((resolve) => req.once('drain', resolve)), answered]);
    } else {
      await new Promise((resolve) => setImmediate(resolve));
    }
  }
  if (status === undefined && !closed) req.end();
  await answered;
  req.destroy();
  if (status === undefined) throw failure ?? new Error('the server closed without an answer');
  return { status, sentBytes };
}

/** The peak growth of this process's Buffer memory (where request bodies land) while `run` runs. */
async function peakBufferGrowth<T>(run: () => Promise<T>): Promise<{ result: T; growth: number }> {
  const baseline = process.memoryUsage().arrayBuffers;
  let peak = baseline;
  const sampler = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().arrayBuffers);
  }, 2);
  try {
    const result = await run();
    peak = Math.max(peak, process.memoryUsage().arrayBuffers);
    return { result, growth: peak - baseline };
  } finally {
    clearInterval(sampler);
  }
}

describe('the webhook door', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ timings: { reconcileIntervalMs: 3_600_000 } });
  });
  afterAll(async () => h.stop());

  it.each(['declared-length', 'chunked'] as const)(
    'refuses a 100 MB body (%s) with 413 without holding it in memory',
    async (mode) => {
      const { result, growth } = await peakBufferGrowth(() =>
        streamBody(h.webhookUrl, 100 * MB, mode),
      );
      expect(result.status).toBe(413);
      // Refused at the declared length before reading, or once 25 MB have streamed in.
      expect(result.sentBytes).toBeLessThan(100 * MB);
      // Garbage the collector has not yet reclaimed counts too (on a loaded CI machine it lagged
      // by up to ~20 MB), so the bound leaves room for it while staying far below the 100 MB a
      // server that read the whole body would hold.
      const bound = mode === 'declared-length' ? 32 * MB : MAX_WEBHOOK_BODY_BYTES + 32 * MB;
      expect(growth).toBeLessThan(bound);
      expect(h.logs.text).toMatch(/webhook body over the limit refused/);
    },
  );

  it('accepts a signed body just under the limit', async () => {
    const payload = {
      ...workflowJobPayload({ id: 41, labels: ['ubuntu-latest'] }),
      padding: 'x'.repeat(MAX_WEBHOOK_BODY_BYTES - 64 * 1024),
    };
    const res = await sendWebhook(h.webhookUrl, WEBHOOK_SECRET, payload);
    expect(res.status).toBe(200);
  });

  it.each([
    ['signed with another secret', (body: string) => sign('another-secret-of-20-chars', body)],
    ['signed over another body', () => sign(WEBHOOK_SECRET, '{}')],
    ['a signature that is not hex', () => 'sha256=MARKER-IN-SIGNATURE'],
    ['unsigned', () => undefined],
  ])('never writes a body %s to the log', async (_name, signature) => {
    const marker = `MARKER-${Math.random().toString(36).slice(2)}`;
    const payload = { ...workflowJobPayload({ id: 42 }), note: marker };
    const body = JSON.stringify(payload);
    const sig = signature(body);
    const res = await fetch(h.webhookUrl, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-github-event': 'workflow_job',
        'x-github-delivery': 'bad-signature-1',
        ...(sig === undefined ? {} : { 'x-hub-signature-256': sig }),
      },
      body,
    });
    expect(res.status).toBe(400);
    expect(await res.text()).not.toContain(marker);
    await h.server.controller.settled();
    const refusedLines = h.logs.lines.filter((l) => l.includes('bad-signature-1'));
    expect(refusedLines.length).toBeGreaterThan(0);
    expect(h.logs.lines.filter((l) => l.includes(marker))).toEqual([]);
    expect(await h.server.ledger.listJobs(['queued'])).toEqual([]);
  });

  it('still records a valid delivery after all of that', async () => {
    const res = await sendWebhook(h.webhookUrl, WEBHOOK_SECRET, workflowJobPayload({ id: 43 }));
    expect(res.status).toBe(200);
    await eventually(async () => (await h.server.ledger.getJob(43)) !== undefined, 'recorded');
  });
});
