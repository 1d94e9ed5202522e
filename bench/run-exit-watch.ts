import { DEFAULT_TIMINGS } from '../src/config/timings.js';
import { workflowJobPayload } from '../sim/webhooks.js';
import type { FakeModal } from '../sim/modal/fake-modal.js';
import { BENCH_REPOS, startBenchStack, until, type StackOptions } from './bench-stack.js';
import { fireBurst } from './fire-burst.js';
import { jobBodies, type JobBody } from './job-bodies.js';
import { tagsOf } from './launch-timings.js';
import { nowMs } from './now-ms.js';
import { summarize, type Summary } from './summarize.js';

export interface ExitWatchOptions extends StackOptions {
  /** Runners launched, then left idle, then made busy (MAX_RUNNERS). */
  readonly runners: number;
  /** Of those, how many exit (spread over `exitSpreadMs`); as many jobs wait for their slots. */
  readonly exits: number;
  readonly idleMs: number;
  readonly exitSpreadMs: number;
}

/** Calls the server made to Modal's control plane in one window. */
export interface CallWindow {
  readonly windowMs: number;
  readonly byMethod: Readonly<Record<string, number>>;
  readonly total: number;
  readonly perMinute: number;
  /** SandboxList / SandboxListV2 calls per minute: the exit watching's own calls. */
  readonly listPerMinute: number;
}

export interface ExitWatchResult {
  readonly runners: number;
  readonly exits: number;
  /** The server's exit-watch interval (production's). */
  readonly intervalMs: number;
  readonly idle: CallWindow;
  readonly busy: CallWindow;
  /** Sandbox exited → its runner recorded done (the listing found it; its slot is free). */
  readonly freed: Summary;
  /** The k-th exit → the k-th create request for a job that waited for a slot. */
  readonly reused: Summary;
}

const FIRST_ID = 1_000;
const LIST_METHODS = new Set(['SandboxList', 'SandboxListV2']);

/**
 * Exit watching with `runners` live sandboxes: launches them (plus `exits` jobs that wait at
 * MAX_RUNNERS), leaves them idle for `idleMs`, makes them all busy (`in_progress` webhooks
 * naming their runners), then lets `exits` of them exit, spread over `exitSpreadMs`, with no
 * `completed` webhook, so that only the listing finds them. Counts the server's calls to Modal
 * per window, and times exit → slot free → slot reused by a waiting job.
 */
export async function runExitWatch(options: ExitWatchOptions): Promise<ExitWatchResult> {
  const intervalMs = DEFAULT_TIMINGS.exitWatchIntervalMs;
  const stack = await startBenchStack({ ...options, maxRunners: options.runners, timings: {} });
  try {
    const bodies = jobBodies(FIRST_ID, options.runners + options.exits, BENCH_REPOS);
    await send(stack.url, options.webhookSecret, bodies);
    const ids = new Set(bodies.map((b) => b.id));
    await until(
      () => stack.sandboxesFor(ids) >= options.runners,
      120_000,
      () => `sandboxes: ${stack.sandboxesFor(ids)}/${options.runners}\n${stack.server.tail()}`,
    );
    const first = launched(stack.modal, ids);
    await sleep(1_000);
    const idleFrom = nowMs();
    await sleep(options.idleMs);
    const idle = callWindow(stack.modal, idleFrom, nowMs());

    const busyFrom = nowMs();
    const repoOf = new Map(bodies.map((b) => [b.id, b.repo]));
    await send(stack.url, options.webhookSecret, inProgressBodies(first, repoOf));
    // Past the lag in which a runner just changed may be missing from a listing.
    await sleep(DEFAULT_TIMINGS.exitWatchLagMs + 1_000);
    const exitAt = await exitSpread(stack.modal, [...first.values()], options);
    const waitingIds = new Set([...ids].filter((id) => !first.has(id)));
    await until(
      () => stack.sandboxesFor(waitingIds) >= options.exits,
      3 * intervalMs + 60_000,
      () => `slots reused: ${stack.sandboxesFor(waitingIds)}/${options.exits}`,
    );
    await sleep(Math.max(0, busyFrom + 60_000 - nowMs()));
    const busy = callWindow(stack.modal, busyFrom, nowMs());
    return {
      runners: options.runners,
      exits: options.exits,
      intervalMs,
      idle,
      busy,
      freed: await freedAfterExit(stack, exitAt),
      reused: reusedAfterExit(stack.modal, waitingIds, exitAt),
    };
  } catch (error) {
    console.error(`[exit-watch] server output (tail):\n${stack.server.tail()}`);
    throw error;
  } finally {
    await stack.close();
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function send(url: string, secret: string, jobs: readonly JobBody[]): Promise<void> {
  const answers = await fireBurst({ url, secret, jobs, concurrency: 32 });
  const failed = answers.filter((a) => a.status !== 200);
  if (failed.length > 0) throw new Error(`${failed.length} webhooks were not answered 200`);
}

/** Launched sandboxes of these jobs: job id → { sandboxId, runnerName }. */
function launched(
  modal: FakeModal,
  ids: ReadonlySet<number>,
): Map<number, { sandboxId: string; runnerName: string }> {
  const out = new Map<number, { sandboxId: string; runnerName: string }>();
  for (const sandbox of modal.created) {
    const jobId = Number(sandbox.tags['job-id']);
    if (!ids.has(jobId) || out.has(jobId)) continue;
    out.set(jobId, { sandboxId: sandbox.sandboxId, runnerName: sandbox.tags['runner-name'] ?? '' });
  }
  return out;
}

/** `in_progress` deliveries: each runner took the job it was launched for. */
function inProgressBodies(
  first: ReadonlyMap<number, { runnerName: string }>,
  repoOf: ReadonlyMap<number, string>,
): JobBody[] {
  return [...first].map(([id, { runnerName }]) => {
    const repo = repoOf.get(id) ?? 'acme/api';
    const payload = workflowJobPayload({ action: 'in_progress', id, repo, runnerName });
    return { id, repo, body: JSON.stringify(payload) };
  });
}

/** Exits the first `exits` sandboxes, evenly over `exitSpreadMs`; sandbox id → exit time. */
async function exitSpread(
  modal: FakeModal,
  sandboxes: readonly { sandboxId: string; runnerName: string }[],
  options: ExitWatchOptions,
): Promise<Map<string, { at: number; runnerName: string }>> {
  const exitAt = new Map<string, { at: number; runnerName: string }>();
  const gap = options.exitSpreadMs / options.exits;
  const start = nowMs();
  for (const [k, sandbox] of sandboxes.slice(0, options.exits).entries()) {
    await sleep(Math.max(0, start + k * gap - nowMs()));
    modal.exit(sandbox.sandboxId, 0);
    exitAt.set(sandbox.sandboxId, { at: nowMs(), runnerName: sandbox.runnerName });
  }
  return exitAt;
}

function callWindow(modal: FakeModal, from: number, to: number): CallWindow {
  const byMethod: Record<string, number> = {};
  let total = 0;
  let lists = 0;
  for (const call of modal.calls) {
    if (call.at < from || call.at > to) continue;
    byMethod[call.method] = (byMethod[call.method] ?? 0) + 1;
    total += 1;
    if (LIST_METHODS.has(call.method)) lists += 1;
  }
  const minutes = (to - from) / 60_000;
  return {
    windowMs: to - from,
    byMethod,
    total,
    perMinute: total / minutes,
    listPerMinute: lists / minutes,
  };
}

/** Exit → the runner recorded done in the ledger (whole ms), per exited sandbox. */
async function freedAfterExit(
  stack: Awaited<ReturnType<typeof startBenchStack>>,
  exitAt: ReadonlyMap<string, { at: number; runnerName: string }>,
): Promise<Summary> {
  const reader = await stack.openLedger();
  try {
    const done = new Map((await reader.listRunners(['done'])).map((r) => [r.name, r]));
    const delays: number[] = [];
    for (const { at, runnerName } of exitAt.values()) {
      const runner = done.get(runnerName);
      if (runner === undefined) throw new Error(`runner ${runnerName} exited but is not done`);
      delays.push(runner.updatedAt - at);
    }
    return summarize(delays);
  } finally {
    await reader.close();
  }
}

/** The k-th exit against the k-th create request for a job that waited for a slot. */
function reusedAfterExit(
  modal: FakeModal,
  waitingIds: ReadonlySet<number>,
  exitAt: ReadonlyMap<string, { at: number }>,
): Summary {
  const creates = modal.calls
    .filter((c) => c.method === 'SandboxCreateV2' || c.method === 'SandboxCreate')
    .filter((c) => waitingIds.has(Number(tagsOf(c.request)['job-id'])))
    .map((c) => c.at)
    .sort((a, b) => a - b);
  const exits = [...exitAt.values()].map((e) => e.at).sort((a, b) => a - b);
  return summarize(exits.map((at, k) => (creates[k] ?? NaN) - at));
}
