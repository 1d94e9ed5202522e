import { fairOrder, type WaitReason } from '../controller/plan.js';
import {
  LIVE_RUNNER_STATES,
  SUPPLY_RUNNER_STATES,
  type RunnerState,
} from '../domain/runner-state.js';
import type { JobRecord, RunnerRecord } from '../ledger/ledger.js';
import type { HistorySample } from './status-history.js';

/** Why a queued job has no runner yet, in words an operator can act on. */
export type QueueReason =
  /** MAX_RUNNERS is reached. */
  | 'cap'
  /** The class's `maxRunners` is reached. */
  | 'class-cap'
  /** Its last launch failed; the next try waits (see `lastError`). */
  | 'backoff'
  /** GitHub (or Modal) keeps failing: launches are paused until a probe succeeds. */
  | 'github-down'
  | 'modal-down'
  /** A runner was launched for it and is starting. */
  | 'runner-starting'
  /** Recorded, the controller has not planned it yet. */
  | 'pending';

export interface StatusRunner {
  readonly name: string;
  readonly runnerClass: string;
  readonly state: RunnerState;
  readonly repo: string | null;
  readonly jobId: number | null;
  readonly sandboxId: string | null;
  readonly ageSeconds: number;
  /** It runs a job we did not launch for (another class, `self-hosted`, a refused repository). */
  readonly foreign: boolean;
}

export interface StatusQueuedJob {
  readonly jobId: number;
  readonly repo: string;
  readonly runnerClass: string;
  /** 1 is launched first (round-robin by repository, oldest first). */
  readonly position: number;
  readonly reason: QueueReason;
  readonly waitingSeconds: number;
  readonly attempts: number;
  readonly lastError: string | null;
}

export interface StatusFailure {
  readonly at: number;
  /** `runner`: a launch or a runner failed; `refused`: a job was refused at the webhook. */
  readonly kind: 'runner' | 'refused';
  /** The runner name, or `owner/repo#job`. */
  readonly subject: string;
  readonly cause: string;
}

/** A job we refused at the webhook, remembered in memory for the page. */
export interface Refusal {
  readonly at: number;
  readonly repo: string;
  readonly jobId: number;
  readonly reason: string;
}

/** Whether a service the app depends on answered its last probe (cached for 30 s). */
export interface UpstreamStatus {
  /** `github` or `modal`. */
  readonly name: string;
  readonly status: 'ok' | 'failing';
  readonly error?: string;
  readonly checkedAt: number;
}

/** Which replica served the page and which one leads (several replicas on PostgreSQL). */
export interface StatusReplica {
  readonly id: string;
  /** The replica holding the leader lease; null when none holds it right now. */
  readonly leader: string | null;
  readonly isLeader: boolean;
}

export interface StatusSnapshot {
  readonly generatedAt: number;
  readonly replica?: StatusReplica;
  readonly summary: {
    readonly liveRunners: number;
    readonly queuedJobs: number;
    readonly inProgressJobs: number;
    readonly maxRunners: number;
    readonly runnersByClass: Readonly<Record<string, number>>;
    /** Live runners taken by a job we did not launch for. */
    readonly foreignJobs: number;
  };
  /** Lasting problems an operator must fix (the runner group admits refused repositories…). */
  readonly warnings: readonly string[];
  readonly runners: readonly StatusRunner[];
  readonly queue: readonly StatusQueuedJob[];
  readonly failures: readonly StatusFailure[];
  readonly history: readonly HistorySample[];
  /** GitHub's and Modal's health; absent from servers older than this field. */
  readonly upstreams?: readonly UpstreamStatus[];
  /** The runner version launches use (`latest → 2.335.0`); absent from older servers. */
  readonly runnerVersion?: string;
}

export interface StatusInput {
  readonly now: number;
  readonly maxRunners: number;
  /** Jobs in status queued or in_progress. */
  readonly jobs: readonly JobRecord[];
  /** Live runners, and failed ones (for recent failures). */
  readonly runners: readonly RunnerRecord[];
  readonly waitReasons: ReadonlyMap<number, WaitReason>;
  readonly refusals: readonly Refusal[];
  readonly history: readonly HistorySample[];
  readonly upstreams?: readonly UpstreamStatus[];
  readonly warnings?: readonly string[];
  readonly replica?: StatusReplica;
  readonly runnerVersion?: string;
  /** How far back failures are shown. */
  readonly failureWindowMs?: number;
  /** At most this many rows per table; the summary still counts everything. */
  readonly maxRows?: number;
}

const live = new Set<RunnerState>(LIVE_RUNNER_STATES);
const supply = new Set<RunnerState>(SUPPLY_RUNNER_STATES);
const seconds = (ms: number) => Math.max(0, Math.round(ms / 1000));

/** What `/status`, `/status.json` and `modal-github-runner status` show. Pure. */
export function buildStatusSnapshot(input: StatusInput): StatusSnapshot {
  const { now } = input;
  const maxRows = input.maxRows ?? 200;
  const jobsById = new Map(input.jobs.map((j) => [j.id, j]));
  const liveRunners = input.runners.filter((r) => live.has(r.state));
  const runners = statusRunners(liveRunners, jobsById, now);
  const queued = input.jobs.filter((j) => j.status === 'queued');
  return {
    generatedAt: now,
    ...(input.replica ? { replica: input.replica } : {}),
    summary: {
      liveRunners: liveRunners.length,
      queuedJobs: queued.length,
      inProgressJobs: input.jobs.filter((j) => j.status === 'in_progress').length,
      maxRunners: input.maxRunners,
      runnersByClass: countByClass(liveRunners),
      foreignJobs: runners.filter((r) => r.foreign).length,
    },
    warnings: input.warnings ?? [],
    runners: runners.slice(0, maxRows),
    queue: statusQueue(queued, liveRunners, input).slice(0, maxRows),
    failures: recentFailures(input, jobsById).slice(0, maxRows),
    history: input.history,
    ...(input.upstreams ? { upstreams: input.upstreams } : {}),
    ...(input.runnerVersion ? { runnerVersion: input.runnerVersion } : {}),
  };
}

/** Live runners, oldest first, with the job each took (or was launched for). */
function statusRunners(
  liveRunners: readonly RunnerRecord[],
  jobsById: ReadonlyMap<number, JobRecord>,
  now: number,
): StatusRunner[] {
  return [...liveRunners]
    .sort((a, b) => a.createdAt - b.createdAt || a.name.localeCompare(b.name))
    .map((r): StatusRunner => {
      const jobId = r.tookJobId ?? r.launchedForJobId;
      return {
        name: r.name,
        runnerClass: r.runnerClass,
        state: r.state,
        repo: jobId === null ? null : (jobsById.get(jobId)?.repo ?? null),
        jobId,
        sandboxId: r.sandboxId,
        ageSeconds: seconds(now - r.createdAt),
        foreign: r.tookJobId !== null && jobsById.get(r.tookJobId)?.foreign === true,
      };
    });
}

/** Queued jobs in launch order, each with why it has no runner yet. */
function statusQueue(
  queued: readonly JobRecord[],
  liveRunners: readonly RunnerRecord[],
  input: StatusInput,
): StatusQueuedJob[] {
  const { now } = input;
  const starting = new Set(
    liveRunners
      .filter((r) => supply.has(r.state) && r.launchedForJobId !== null)
      .map((r) => r.launchedForJobId as number),
  );
  return fairOrder(queued).map((job, index): StatusQueuedJob => ({
    jobId: job.id,
    repo: job.repo,
    runnerClass: job.runnerClass,
    position: index + 1,
    reason:
      input.waitReasons.get(job.id) ??
      (job.nextAttemptAt > now ? 'backoff' : starting.has(job.id) ? 'runner-starting' : 'pending'),
    waitingSeconds: seconds(now - (job.queuedAt ?? job.createdAt)),
    attempts: job.launchAttempts,
    lastError: job.lastError,
  }));
}

/** Failed runners and refused jobs within the failure window, newest first. */
function recentFailures(
  input: StatusInput,
  jobsById: ReadonlyMap<number, JobRecord>,
): StatusFailure[] {
  const failureSince = input.now - (input.failureWindowMs ?? 3_600_000);
  return [
    ...input.runners
      .filter((r) => r.state === 'failed' && r.updatedAt >= failureSince)
      .map((r) => ({
        at: r.updatedAt,
        kind: 'runner' as const,
        subject: failedFor(r, jobsById),
        cause: r.lastError ?? 'failed without a recorded cause',
      })),
    ...input.refusals
      .filter((r) => r.at >= failureSince)
      .map((r) => ({
        at: r.at,
        kind: 'refused' as const,
        subject: `${r.repo}#${r.jobId}`,
        cause: r.reason,
      })),
  ].sort((a, b) => b.at - a.at);
}

/** Live runners per class, by class name so that the page and the terminal list them alike. */
function countByClass(liveRunners: readonly RunnerRecord[]): Record<string, number> {
  const runnersByClass: Record<string, number> = {};
  for (const r of [...liveRunners].sort((a, b) => a.runnerClass.localeCompare(b.runnerClass)))
    runnersByClass[r.runnerClass] = (runnersByClass[r.runnerClass] ?? 0) + 1;
  return runnersByClass;
}

function failedFor(runner: RunnerRecord, jobsById: ReadonlyMap<number, JobRecord>): string {
  const job = runner.launchedForJobId === null ? undefined : jobsById.get(runner.launchedForJobId);
  return job ? `${runner.name} (${job.repo}#${job.id})` : runner.name;
}
