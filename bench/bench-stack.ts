import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Ledger } from '../src/ledger/ledger.js';
import { openPostgresLedger } from '../src/ledger/postgres-ledger.js';
import { openSqliteLedger } from '../src/ledger/sqlite-ledger.js';
import { serveFakeModal } from '../sim/modal/bridge.js';
import { FakeModal } from '../sim/modal/fake-modal.js';
import { FakeGitHub } from '../sim/fake-github.js';
import { freePort } from '../sim/harness.js';
import { createSchema, dropSchemas, uniqueSchema, urlForSchema } from '../sim/test-database.js';
import { fireBurst } from './fire-burst.js';
import { jobBodies } from './job-bodies.js';
import { tagsOf } from './launch-timings.js';
import { nowMs } from './now-ms.js';
import { startServerProcess, type ServerProcess } from './server-process.js';

export interface StackOptions {
  readonly githubLatencyMs: number;
  readonly modalLatencyMs: number;
  readonly maxConcurrentLaunches: number;
  /** MAX_RUNNERS for the run; the server gets one more for the warm-up job. */
  readonly maxRunners: number;
  /** JIT_RATE_PER_SECOND; the server's default when undefined. */
  readonly jitRatePerSecond: number | undefined;
  /** SIM_TIMINGS: production's timings where empty. */
  readonly timings: Readonly<Record<string, unknown>>;
  readonly privateKey: string;
  readonly webhookSecret: string;
  /**
   * Where `tsconfig.bench.json` compiled the servers to: they run as JavaScript with plain
   * node, as in production. Without it they run from TypeScript through tsx (more memory).
   */
  readonly buildDir?: string;
  /** Node flags for the server; production's (SERVER_NODE_FLAGS) when undefined. */
  readonly nodeFlags?: readonly string[];
  /**
   * PostgreSQL server URL: the real server's ledger goes there (DATABASE_URL, in a schema of
   * its own, dropped afterwards) instead of a fresh SQLite DATA_DIR.
   */
  readonly databaseUrl?: string;
}

/** The server in its own process and the fakes in this one, warmed up by one job. */
export interface BenchStack {
  readonly github: FakeGitHub;
  readonly modal: FakeModal;
  readonly server: ServerProcess;
  /** The signed-webhook endpoint. */
  readonly url: string;
  /** Fake GitHub answered generate-jitconfig, per runner name (bench clock, ms). */
  readonly jitAnsweredAt: ReadonlyMap<string, number>;
  /** The server handed the create request of this job to its gRPC client (bench clock, ms). */
  readonly createSentAt: ReadonlyMap<number, number>;
  /** Sandboxes created so far for jobs in `ids`. */
  sandboxesFor(ids: ReadonlySet<number>): number;
  /** A reader of the server's ledger (SQLite file or PostgreSQL schema); close it after use. */
  openLedger(): Promise<Ledger>;
  close(): Promise<void>;
}

export const BENCH_REPOS = ['acme/api', 'acme/web', 'acme/infra', 'acme/ml', 'acme/docs'];

export async function until(
  check: () => boolean,
  timeoutMs: number,
  what: () => string,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what()}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/**
 * Starts fake GitHub and fake Modal (with their latencies) in this process, the server in its
 * own (a fresh SQLite DATA_DIR or a PostgreSQL schema), and sends one warm-up job and awaits its
 * sandbox (installation token, Modal App and image looked up once, as in a server that has been
 * running).
 */
export async function startBenchStack(options: StackOptions): Promise<BenchStack> {
  const github = await new FakeGitHub().start();
  github.latencyMs = options.githubLatencyMs;
  github.webhookSecret = options.webhookSecret;
  const jitAnsweredAt = new Map<string, number>();
  github.faultHook = (req) => {
    // Called once the latency has elapsed, just before the fake answers.
    if (req.method === 'POST' && req.path.endsWith('/generate-jitconfig')) {
      const name = (req.body as { name?: unknown } | undefined)?.name;
      if (typeof name === 'string' && !jitAnsweredAt.has(name)) jitAnsweredAt.set(name, nowMs());
    }
    return undefined;
  };
  const modal = new FakeModal({
    latencyMs: { SandboxCreateV2: options.modalLatencyMs, SandboxCreate: options.modalLatencyMs },
    now: nowMs,
  });
  const created = new Map<number, number>();
  const unsubscribe = modal.onCreate((sandbox) => {
    const jobId = Number(sandbox.tags['job-id']);
    created.set(jobId, (created.get(jobId) ?? 0) + 1);
  });
  const createSentAt = new Map<number, number>();
  const bridge = await serveFakeModal(modal, {
    onCall: (call) => {
      if (!call.path.endsWith('/SandboxCreateV2') && !call.path.endsWith('/SandboxCreate')) return;
      const jobId = Number(tagsOf(call.request)['job-id']);
      if (!createSentAt.has(jobId)) createSentAt.set(jobId, call.sentAt);
    },
  });
  const dataDir = mkdtempSync(join(tmpdir(), 'mgr-bench-'));
  const schema = options.databaseUrl === undefined ? undefined : uniqueSchema('bench');
  if (schema !== undefined) await createSchema(schema, options.databaseUrl);
  const port = await freePort();
  const env = serverEnv(options, { github, bridgeUrl: bridge.url, dataDir, port, schema });
  const source = 'sim/sim-server-main.ts';
  const script = options.buildDir ? join(options.buildDir, source.replace(/\.ts$/, '.js')) : source;
  const closeFakes = async () => {
    unsubscribe();
    await bridge.close();
    modal.close();
    await github.stop();
    rmSync(dataDir, { recursive: true, force: true });
    if (schema !== undefined) await dropSchemas([schema], options.databaseUrl);
  };
  let server: ServerProcess;
  try {
    server = await startServerProcess(script, env, options.nodeFlags);
  } catch (error) {
    await closeFakes();
    throw error;
  }
  const stack: BenchStack = {
    github,
    modal,
    server,
    url: `http://127.0.0.1:${port}/api/github/webhooks`,
    jitAnsweredAt,
    createSentAt,
    sandboxesFor: (ids) => {
      let n = 0;
      for (const id of ids) n += created.has(id) ? 1 : 0;
      return n;
    },
    openLedger: async () =>
      options.databaseUrl !== undefined && schema !== undefined
        ? (await openPostgresLedger({ url: options.databaseUrl, schema, max: 1 })).ledger
        : openSqliteLedger(dataDir, { mirror: false }),
    close: async () => {
      await server.stop();
      await closeFakes();
    },
  };
  try {
    await warmUp(stack, options.webhookSecret);
  } catch (error) {
    console.error(`server output (tail):\n${server.tail()}`);
    await stack.close();
    throw error;
  }
  return stack;
}

async function warmUp(stack: BenchStack, secret: string): Promise<void> {
  const [warm] = await fireBurst({
    url: stack.url,
    secret,
    jobs: jobBodies(1, 1, BENCH_REPOS),
    concurrency: 1,
  });
  if (warm?.status !== 200) throw new Error(`warm-up webhook answered ${warm?.status}`);
  const warmUpJob = new Set([1]);
  await until(
    () => stack.sandboxesFor(warmUpJob) > 0,
    30_000,
    () => 'the warm-up sandbox',
  );
}

function serverEnv(
  options: StackOptions,
  at: {
    github: FakeGitHub;
    bridgeUrl: string;
    dataDir: string;
    port: number;
    schema: string | undefined;
  },
): Record<string, string> {
  const env: Record<string, string> = {
    APP_ID: '12345',
    PRIVATE_KEY: options.privateKey,
    WEBHOOK_SECRET: options.webhookSecret,
    GHE_HOST: new URL(at.github.baseUrl).host,
    GHE_PROTOCOL: 'http',
    HOST: '127.0.0.1',
    PORT: String(at.port),
    DATA_DIR: at.dataDir,
    MAX_RUNNERS: String(options.maxRunners + 1),
    MAX_CONCURRENT_LAUNCHES: String(options.maxConcurrentLaunches),
    RECONCILE_INTERVAL_SECONDS: '3600',
    LOG_LEVEL: 'info',
    LOG_FORMAT: 'json',
    FAKE_MODAL_BRIDGE_URL: at.bridgeUrl,
    SIM_TIMINGS: JSON.stringify(options.timings),
  };
  if (options.databaseUrl !== undefined && at.schema !== undefined) {
    env.DATABASE_URL = urlForSchema(at.schema, options.databaseUrl);
  }
  if (options.jitRatePerSecond !== undefined) {
    env.JIT_RATE_PER_SECOND = String(options.jitRatePerSecond);
  }
  return env;
}
