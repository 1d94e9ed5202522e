import { join } from 'node:path';
import { freePort } from '../sim/harness.js';
import {
  DISPATCH_EVERY,
  dispatchesFor,
  startDispatchReceiver,
  type DispatchReceiver,
} from './dispatch-receiver.js';
import { fireBurst } from './fire-burst.js';
import { jobBodies } from './job-bodies.js';
import { FDATASYNC_PROBE_GAP_MS, startFdatasyncProbe } from './measure-fdatasync.js';
import { startServerProcess } from './server-process.js';
import { summarize, type Summary } from './summarize.js';

/**
 * `node`: bench/empty-server.ts; `probot`: bench/probot-empty-server.ts; `probot-dispatch`: the
 * same Probot app sending a gRPC call from its handler for one webhook in DISPATCH_EVERY.
 */
export type FloorServer = 'node' | 'probot' | 'probot-dispatch';

export interface FloorResult {
  readonly server: FloorServer;
  readonly concurrency: number;
  readonly answer: Summary;
  /** First request sent → last answer, divided by the webhooks: the server's time per webhook. */
  readonly msPerWebhook: number;
  /** fdatasync latency in the bench's process while the burst ran, ms. */
  readonly fdatasyncDuringBurst: Summary;
  /** `probot-dispatch` only: handler started → its gRPC call received, ms. */
  readonly dispatch?: Summary;
}

export interface FloorOptions {
  readonly jobs: number;
  readonly concurrencies: readonly number[];
  readonly buildDir: string | undefined;
  /** Signs the webhooks for the Probot floor, which verifies them. */
  readonly webhookSecret: string;
  readonly privateKey: string;
}

const SCRIPTS: Record<FloorServer, string> = {
  node: 'bench/empty-server.ts',
  probot: 'bench/probot-empty-server.ts',
  'probot-dispatch': 'bench/probot-empty-server.ts',
};

/**
 * Answer times of the two floors for `jobs` webhooks at each concurrency: an empty Node server
 * (what queueing on one event loop costs on this machine before a server does any work) and an
 * empty Probot app (what Probot's webhook path costs: signature check, parsing, its context and
 * logging). Both run as their own process with production's Node flags, like the real server.
 */
export async function measureFloor(options: FloorOptions): Promise<FloorResult[]> {
  const results: FloorResult[] = [];
  for (const server of ['node', 'probot', 'probot-dispatch'] as const) {
    const source = SCRIPTS[server];
    const script = options.buildDir
      ? join(options.buildDir, source.replace(/\.ts$/, '.js'))
      : source;
    for (const concurrency of options.concurrencies) {
      const port = await freePort();
      const env: Record<string, string> = {
        APP_ID: '12345',
        PRIVATE_KEY: options.privateKey,
        WEBHOOK_SECRET: options.webhookSecret,
        PORT: String(port),
        LOG_LEVEL: 'info',
      };
      let receiver: DispatchReceiver | undefined;
      if (server === 'probot-dispatch') {
        receiver = await startDispatchReceiver();
        env.DISPATCH_URL = receiver.url;
        env.DISPATCH_EVERY = String(DISPATCH_EVERY);
      }
      const child = await startServerProcess(script, env);
      try {
        const reported = (child.ready as { ready?: unknown } | undefined)?.ready;
        if (typeof reported !== 'number') throw new Error(`${script} did not report its port`);
        const bodies = jobBodies(1_000, options.jobs, ['acme/api']);
        // The same fdatasync probe as beside this server's bursts, so both share its load.
        const probe = startFdatasyncProbe(FDATASYNC_PROBE_GAP_MS);
        const answers = await fireBurst({
          url: `http://127.0.0.1:${reported}/api/github/webhooks`,
          secret: options.webhookSecret,
          jobs: bodies,
          concurrency,
        }).finally(() => probe.stop());
        const fdatasyncDuringBurst = await probe.stop();
        const failed = answers.filter((a) => a.status !== 200);
        if (failed.length > 0) {
          throw new Error(`${script}: ${failed.length} webhooks not answered 200`);
        }
        const first = Math.min(...answers.map((a) => a.sentAt));
        const last = Math.max(...answers.map((a) => a.answeredAt));
        results.push({
          server,
          concurrency,
          answer: summarize(answers.map((a) => a.answeredAt - a.sentAt)),
          msPerWebhook: (last - first) / answers.length,
          fdatasyncDuringBurst,
          ...(receiver
            ? {
                dispatch: await dispatchDelays(
                  receiver,
                  bodies.filter((b) => dispatchesFor(b.id)).length,
                ),
              }
            : {}),
        });
      } finally {
        await child.stop();
        receiver?.close();
      }
    }
  }
  return results;
}

/** The receiver's delays once every expected call has arrived (they are not awaited by the app). */
async function dispatchDelays(receiver: DispatchReceiver, expected: number): Promise<Summary> {
  const deadline = Date.now() + 10_000;
  while (receiver.delays.size < expected) {
    if (Date.now() > deadline) {
      throw new Error(`dispatch floor: ${receiver.delays.size}/${expected} gRPC calls arrived`);
    }
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return summarize([...receiver.delays.values()]);
}
