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
import { analyzeLaunches, type LaunchAnalysis } from './analyze-launches.js';
import { fireBurst, type Answer } from './fire-burst.js';
import { jobBodies } from './job-bodies.js';
import { launchTimings, tagsOf } from './launch-timings.js';
import { nowMs } from './now-ms.js';
import { procUsage } from './proc-usage.js';
import { startServerProcess } from './server-process.js';
import { summarize, type Summary } from './summarize.js';

export interface BurstRunOptions {
  readonly label: string;
  /** `real`: sim/sim-server-main.ts; `naive`: bench/naive-server.ts. */
  readonly server: 'real' | 'naive';
  readonly jobs: number;
  readonly githubLatencyMs: number;
  readonly modalLatencyMs: number;
  readonly maxConcurrentLaunches: number;
  /** MAX_RUNNERS for the burst; the server gets one more for the warm-up job. */
  readonly maxRunners: number;
  /** JIT_RATE_PER_SECOND; the server's default when undefined. */
  readonly jitRatePerSecond: number | undefined;
  readonly timings: Readonly<Record<string, unknown>>;
  /** Client connections for the burst. */
  readonly concurrency: number;
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

export interface BurstRunResult {
  readonly options: BurstRunOptions;
  readonly answer: Summary;
  /** Burst start → last answer, ms. */
  readonly burstMs: number;
  /** Burst start → last expected sandbox created (and configured), ms. */
  readonly convergedMs: number;
  readonly expectedSandboxes: number;
  readonly launch: LaunchAnalysis;
  /** RSS after start-up and the warm-up job, before the burst. */
  readonly startRssMb: number;
  readonly peakRssMb: number;
  readonly rssMb: number;
  /** V8 heap in use and memory outside it (Buffers, native), at the end; real server only. */
  readonly heapUsedMb: number | undefined;
  readonly externalMb: number | undefined;
  /** Server CPU (user + system) from the burst's start to convergence, per burst job. */
  readonly cpuMsPerJob: number;
  /** Open jobs in the server's SQLite ledger at the end (real server only). */
  readonly ledgerOpenJobs: number | undefined;
}

const REPOS = ['acme/api', 'acme/web', 'acme/infra', 'acme/ml', 'acme/docs'];
const FIRST_BURST_ID = 1_000;

async function until(check: () => boolean, timeoutMs: number, what: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what()}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/**
 * One burst against a server in its own process: fake GitHub and fake Modal (with their
 * latencies) in this process, a fresh SQLite DATA_DIR, one warm-up job (installation token, Modal
 * App and image looked up once, as in a server that has been running), then `jobs` signed
 * `workflow_job.queued` webhooks, then a wait until every job that fits under MAX_RUNNERS has a
 * sandbox. Throws when that does not happen (the run did not converge).
 */
export async function runBurst(options: BurstRunOptions): Promise<BurstRunResult> {
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
    // Modal holds a SandboxWait for the timeout the SDK asks (10 s), not the fake's default 1 s.
    longPollMs: 10_000,
    now: nowMs,
  });
  const burstIds = new Set<number>();
  let burstSandboxes = 0;
  let warmedUp = false;
  const unsubscribe = modal.onCreate((sandbox) => {
    const jobId = Number(sandbox.tags['job-id']);
    if (jobId === 1) warmedUp = true;
    if (burstIds.has(jobId)) burstSandboxes += 1;
  });
  // When the server handed each create request to its transport (the bridge's gRPC client).
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
  const env: Record<string, string> = {
    APP_ID: '12345',
    PRIVATE_KEY: options.privateKey,
    WEBHOOK_SECRET: options.webhookSecret,
    GHE_HOST: new URL(github.baseUrl).host,
    GHE_PROTOCOL: 'http',
    HOST: '127.0.0.1',
    PORT: String(port),
    DATA_DIR: dataDir,
    MAX_RUNNERS: String(options.maxRunners + 1),
    MAX_CONCURRENT_LAUNCHES: String(options.maxConcurrentLaunches),
    RECONCILE_INTERVAL_SECONDS: '3600',
    LOG_LEVEL: 'info',
    LOG_FORMAT: 'json',
    FAKE_MODAL_BRIDGE_URL: bridge.url,
    SIM_TIMINGS: JSON.stringify(options.timings),
  };
  if (options.databaseUrl !== undefined && schema !== undefined) {
    env.DATABASE_URL = urlForSchema(schema, options.databaseUrl);
  }
  if (options.jitRatePerSecond !== undefined) {
    env.JIT_RATE_PER_SECOND = String(options.jitRatePerSecond);
  }
  const source = options.server === 'real' ? 'sim/sim-server-main.ts' : 'bench/naive-server.ts';
  const script = options.buildDir ? join(options.buildDir, source.replace(/\.ts$/, '.js')) : source;
  const server = await startServerProcess(script, env, options.nodeFlags);
  const url = `http://127.0.0.1:${port}/api/github/webhooks`;
  try {
    const [warm] = await fireBurst({
      url,
      secret: options.webhookSecret,
      jobs: jobBodies(1, 1, REPOS),
      concurrency: 1,
    });
    if (warm?.status !== 200) throw new Error(`warm-up webhook answered ${warm?.status}`);
    await until(
      () => warmedUp,
      30_000,
      () => 'the warm-up sandbox',
    );

    const bodies = jobBodies(FIRST_BURST_ID, options.jobs, REPOS);
    for (const b of bodies) burstIds.add(b.id);
    const before = procUsage(server.pid);
    const cpuBefore = before.cpuMs;
    const started = nowMs();
    const answers: Answer[] = await fireBurst({
      url,
      secret: options.webhookSecret,
      jobs: bodies,
      concurrency: options.concurrency,
    });
    const burstMs = Math.max(...answers.map((a) => a.answeredAt)) - started;
    const failed = answers.filter((a) => a.status !== 200);
    if (failed.length > 0) {
      throw new Error(
        `${failed.length} webhooks were not answered 200 (e.g. ${failed[0]?.status})`,
      );
    }

    const expected =
      options.server === 'naive' ? options.jobs : Math.min(options.jobs, options.maxRunners);
    const rate = Math.min(
      (options.maxConcurrentLaunches * 1000) / (options.githubLatencyMs + options.modalLatencyMs),
      options.jitRatePerSecond ?? 10,
    );
    await until(
      () => burstSandboxes >= expected,
      60_000 + (4 * expected * 1000) / rate,
      () => `sandboxes: ${burstSandboxes}/${expected}\n${server.tail()}`,
    );
    const convergedMs = nowMs() - started;
    // Let the last launches write the ledger, then read the server's usage.
    await new Promise((r) => setTimeout(r, 500));
    const usage = procUsage(server.pid);
    const memory = await server.memory();

    let ledgerOpenJobs: number | undefined;
    const recordedAt = new Map<number, number>();
    if (options.server === 'real') {
      const reader: Ledger =
        options.databaseUrl !== undefined && schema !== undefined
          ? (await openPostgresLedger({ url: options.databaseUrl, schema, max: 1 })).ledger
          : openSqliteLedger(dataDir, { mirror: false });
      try {
        const open = await reader.listJobs(['queued', 'in_progress', 'waiting']);
        ledgerOpenJobs = open.length;
        for (const job of open) recordedAt.set(job.id, job.createdAt);
      } finally {
        await reader.close();
      }
      if (ledgerOpenJobs !== options.jobs + 1) {
        throw new Error(
          `the ledger holds ${ledgerOpenJobs} open jobs, expected ${options.jobs + 1}`,
        );
      }
    }

    const byJob = new Map(answers.map((a) => [a.id, a]));
    const timings = launchTimings(modal, jitAnsweredAt, byJob, recordedAt, createSentAt);
    return {
      options,
      answer: summarize(answers.map((a) => a.answeredAt - a.sentAt)),
      burstMs,
      convergedMs,
      expectedSandboxes: expected,
      launch: analyzeLaunches(
        timings,
        { githubMs: options.githubLatencyMs, modalMs: options.modalLatencyMs },
        options.server === 'naive' ? options.concurrency : options.maxConcurrentLaunches,
      ),
      startRssMb: before.rssMb,
      peakRssMb: usage.peakRssMb,
      rssMb: usage.rssMb,
      heapUsedMb: memory && memory.heapUsed / 2 ** 20,
      externalMb: memory && memory.external / 2 ** 20,
      cpuMsPerJob: (usage.cpuMs - cpuBefore) / options.jobs,
      ledgerOpenJobs,
    };
  } catch (error) {
    console.error(`[${options.label}] server output (tail):\n${server.tail()}`);
    throw error;
  } finally {
    await server.stop();
    unsubscribe();
    await bridge.close();
    modal.close();
    await github.stop();
    rmSync(dataDir, { recursive: true, force: true });
    if (schema !== undefined) await dropSchemas([schema], options.databaseUrl);
  }
}
