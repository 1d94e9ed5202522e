import { randomUUID } from 'node:crypto';
import { Agent, request } from 'node:http';
import { sign } from '../sim/webhooks.js';
import type { JobBody } from './job-bodies.js';
import { nowMs } from './now-ms.js';

export interface Answer {
  readonly id: number;
  /** When the request was handed to its socket (bench clock, ms). */
  readonly sentAt: number;
  /** When the whole response had arrived. */
  readonly answeredAt: number;
  readonly status: number;
}

export interface BurstOptions {
  readonly url: string;
  readonly secret: string;
  readonly jobs: readonly JobBody[];
  /** Keep-alive connections, each carrying one request at a time. */
  readonly concurrency: number;
  readonly event?: string;
}

/**
 * Posts every body as a signed GitHub webhook, as fast as `concurrency` keep-alive connections
 * allow: each connection sends its next request as soon as the previous one is answered, so the
 * time recorded per request is the server's, not a client-side queue's. Signatures are computed
 * and connections opened before the burst starts.
 */
export async function fireBurst(options: BurstOptions): Promise<Answer[]> {
  const target = new URL(options.url);
  const agent = new Agent({ keepAlive: true, maxSockets: options.concurrency });
  const prepared = options.jobs.map((job) => ({
    id: job.id,
    body: Buffer.from(job.body),
    headers: {
      'content-type': 'application/json',
      'x-github-event': options.event ?? 'workflow_job',
      'x-github-delivery': randomUUID(),
      'x-hub-signature-256': sign(options.secret, job.body),
      'user-agent': 'GitHub-Hookshot/bench',
    },
  }));
  // Open every connection before the burst (a GET /healthz on each), as a reverse proxy in
  // front of the server keeps its upstream connections open: measured here is the answer, not
  // TCP connection setup on a busy event loop (which, on fresh connections, delayed the first
  // wave of a burst by up to ~0.8 s on a 2-core machine).
  await Promise.all(
    Array.from(
      { length: options.concurrency },
      () =>
        new Promise<void>((resolve, reject) => {
          const req = request(
            { agent, host: target.hostname, port: target.port, path: '/healthz', method: 'GET' },
            (res) => {
              res.resume();
              res.on('end', () => resolve());
            },
          );
          req.on('error', reject);
          req.end();
        }),
    ),
  );
  const answers: Answer[] = [];
  let next = 0;
  const send = (job: (typeof prepared)[number]) =>
    new Promise<Answer>((resolve, reject) => {
      const sentAt = nowMs();
      const req = request(
        {
          agent,
          host: target.hostname,
          port: target.port,
          path: target.pathname,
          method: 'POST',
          headers: { ...job.headers, 'content-length': job.body.length },
        },
        (res) => {
          res.resume();
          res.on('end', () =>
            resolve({ id: job.id, sentAt, answeredAt: nowMs(), status: res.statusCode ?? 0 }),
          );
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end(job.body);
    });
  const worker = async () => {
    for (;;) {
      const job = prepared[next++];
      if (!job) return;
      answers.push(await send(job));
    }
  };
  try {
    await Promise.all(Array.from({ length: options.concurrency }, worker));
  } finally {
    agent.destroy();
  }
  return answers;
}
