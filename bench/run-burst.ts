import { analyzeLaunches, type LaunchAnalysis } from './analyze-launches.js';
import {
  BENCH_REPOS,
  startBenchStack,
  until,
  type BenchStack,
  type StackOptions,
} from './bench-stack.js';
import { fireBurst, type Answer } from './fire-burst.js';
import { jobBodies } from './job-bodies.js';
import { launchTimings } from './launch-timings.js';
import { FDATASYNC_PROBE_GAP_MS, startFdatasyncProbe } from './measure-fdatasync.js';
import { nowMs } from './now-ms.js';
import { procUsage } from './proc-usage.js';
import { summarize, type Summary } from './summarize.js';

export interface BurstRunOptions extends StackOptions {
  readonly label: string;
  readonly jobs: number;
  /** Client connections for the burst. */
  readonly concurrency: number;
}

export interface BurstRunResult {
  readonly options: BurstRunOptions;
  readonly answer: Summary;
  /**
   * Answers of webhooks sent while the burst's launches ran, and of those sent after the last
   * of its sandboxes was created (then a webhook is recorded and answered, nothing more).
   */
  readonly answerDuringLaunches: Summary;
  readonly answerAfterLaunches: Summary;
  /** fdatasync latency in this process, on the DATA_DIR's file system, while the burst ran, ms. */
  readonly fdatasyncDuringBurst: Summary;
  /** Burst start → last answer, ms. */
  readonly burstMs: number;
  /** First request sent → last answer, divided by the webhooks: the server's time per webhook, ms. */
  readonly msPerWebhook: number;
  /** Burst start → last expected sandbox created (and configured), ms. */
  readonly convergedMs: number;
  readonly expectedSandboxes: number;
  readonly launch: LaunchAnalysis;
  /** RSS after start-up and the warm-up job, before the burst. */
  readonly startRssMb: number;
  readonly peakRssMb: number;
  readonly rssMb: number;
  /** V8 heap in use and memory outside it (Buffers, native), at the end. */
  readonly heapUsedMb: number | undefined;
  readonly externalMb: number | undefined;
  /** Server CPU (user + system) from the burst's start to convergence, per burst job. */
  readonly cpuMsPerJob: number;
}

const FIRST_BURST_ID = 1_000;

/**
 * One burst against a server in its own process (bench/bench-stack.ts: fakes, server, warm-up
 * job), `jobs` signed `workflow_job.queued` webhooks over `concurrency` connections, then a
 * wait until every job that fits under MAX_RUNNERS has a sandbox. Throws when that does not
 * happen (the run did not converge) or when the ledger misses a job.
 */
export async function runBurst(options: BurstRunOptions): Promise<BurstRunResult> {
  const stack = await startBenchStack(options);
  const { server } = stack;
  try {
    const bodies = jobBodies(FIRST_BURST_ID, options.jobs, BENCH_REPOS);
    const burstIds = new Set(bodies.map((b) => b.id));
    const before = procUsage(server.pid);
    // A sync every 250 ms beside the burst: what the ledger's WAL sync costs meanwhile.
    const probe = startFdatasyncProbe(FDATASYNC_PROBE_GAP_MS);
    const started = nowMs();
    const answers: Answer[] = await fireBurst({
      url: stack.url,
      secret: options.webhookSecret,
      jobs: bodies,
      concurrency: options.concurrency,
    }).finally(() => probe.stop());
    const fdatasyncDuringBurst = await probe.stop();
    const lastAnswer = Math.max(...answers.map((a) => a.answeredAt));
    const burstMs = lastAnswer - started;
    // As the floors measure it: first request sent → last answer (bodies signed before).
    const firstSent = Math.min(...answers.map((a) => a.sentAt));
    const failed = answers.filter((a) => a.status !== 200);
    if (failed.length > 0) {
      throw new Error(
        `${failed.length} webhooks were not answered 200 (e.g. ${failed[0]?.status})`,
      );
    }
    const expected = Math.min(options.jobs, options.maxRunners);
    const rate = Math.min(
      (options.maxConcurrentLaunches * 1000) / (options.githubLatencyMs + options.modalLatencyMs),
      options.jitRatePerSecond ?? 10,
    );
    await until(
      () => stack.sandboxesFor(burstIds) >= expected,
      60_000 + (4 * expected * 1000) / rate,
      () => `sandboxes: ${stack.sandboxesFor(burstIds)}/${expected}\n${server.tail()}`,
    );
    const convergedMs = nowMs() - started;
    // Let the last launches write the ledger, then read the server's usage.
    await new Promise((r) => setTimeout(r, 500));
    const usage = procUsage(server.pid);
    const memory = await server.memory();
    const recordedAt = await recordedJobs(stack, options.jobs + 1);
    const byJob = new Map(answers.map((a) => [a.id, a]));
    const timings = launchTimings(
      stack.modal,
      stack.jitAnsweredAt,
      byJob,
      recordedAt,
      stack.createSentAt,
    );
    const lastCreated = Math.max(
      ...stack.modal.created
        .filter((sb) => burstIds.has(Number(sb.tags['job-id'])))
        .map((sb) => sb.createdAt),
    );
    const took = (from: readonly Answer[]) => from.map((a) => a.answeredAt - a.sentAt);
    return {
      options,
      answer: summarize(took(answers)),
      fdatasyncDuringBurst,
      answerDuringLaunches: summarize(took(answers.filter((a) => a.sentAt <= lastCreated))),
      answerAfterLaunches: summarize(took(answers.filter((a) => a.sentAt > lastCreated))),
      burstMs,
      msPerWebhook: (lastAnswer - firstSent) / options.jobs,
      convergedMs,
      expectedSandboxes: expected,
      launch: analyzeLaunches(
        timings,
        { githubMs: options.githubLatencyMs, modalMs: options.modalLatencyMs },
        options.maxConcurrentLaunches,
      ),
      startRssMb: before.rssMb,
      peakRssMb: usage.peakRssMb,
      rssMb: usage.rssMb,
      heapUsedMb: memory && memory.heapUsed / 2 ** 20,
      externalMb: memory && memory.external / 2 ** 20,
      cpuMsPerJob: (usage.cpuMs - before.cpuMs) / options.jobs,
    };
  } catch (error) {
    console.error(`[${options.label}] server output (tail):\n${server.tail()}`);
    throw error;
  } finally {
    await stack.close();
  }
}

/** When the server recorded each open job (its ledger's createdAt); throws if one is missing. */
async function recordedJobs(
  stack: Pick<BenchStack, 'openLedger'>,
  expected: number,
): Promise<Map<number, number>> {
  const reader = await stack.openLedger();
  try {
    const open = await reader.listJobs(['queued', 'in_progress', 'waiting']);
    if (open.length !== expected) {
      throw new Error(`the ledger holds ${open.length} open jobs, expected ${expected}`);
    }
    return new Map(open.map((job) => [job.id, job.createdAt]));
  } finally {
    await reader.close();
  }
}
