import { JOB_STATUS_ORDER, type JobStatus } from '../domain/job-status.js';
import type { RunnerScope } from '../domain/runner-scope.js';
import type { RunnerState } from '../domain/runner-state.js';

export interface JobRecord {
  readonly id: number;
  readonly runId: number;
  readonly runAttempt: number;
  /** `owner/name` */
  readonly repo: string;
  readonly org: string;
  readonly installationId: number;
  readonly labels: readonly string[];
  readonly runnerClass: string;
  readonly scope: RunnerScope;
  readonly status: JobStatus;
  readonly conclusion: string | null;
  /** The runner that took the job, from `in_progress`/`completed` events. */
  readonly runnerName: string | null;
  readonly createdAt: number;
  readonly queuedAt: number | null;
  readonly startedAt: number | null;
  readonly completedAt: number | null;
  readonly updatedAt: number;
  /** Failed launches made for this job, for backoff. */
  readonly launchAttempts: number;
  /** No launch for this job before this time (epoch ms). */
  readonly nextAttemptAt: number;
  readonly lastError: string | null;
  /**
   * Not a job of ours (another class, `runs-on: self-hosted`, a refused repository), recorded
   * because it took one of our runners: GitHub gives a runner to any job its labels cover.
   */
  readonly foreign: boolean;
}

/** What one webhook (or one API read) says about a job. */
export type JobObservation = Pick<
  JobRecord,
  | 'id'
  | 'runId'
  | 'runAttempt'
  | 'repo'
  | 'org'
  | 'installationId'
  | 'labels'
  | 'runnerClass'
  | 'scope'
  | 'status'
  | 'conclusion'
  | 'runnerName'
> & { readonly at: number; readonly foreign?: boolean };

export interface RunnerRecord {
  readonly name: string;
  readonly runnerId: number | null;
  readonly sandboxId: string | null;
  readonly runnerClass: string;
  readonly scope: RunnerScope;
  readonly installationId: number;
  readonly state: RunnerState;
  readonly launchedForJobId: number | null;
  readonly tookJobId: number | null;
  readonly createdAt: number;
  readonly updatedAt: number;
  readonly lastError: string | null;
}

export type JobPatch = Partial<Pick<JobRecord, 'launchAttempts' | 'nextAttemptAt' | 'lastError'>>;
export type RunnerPatch = Partial<
  Pick<
    RunnerRecord,
    | 'runnerId'
    | 'sandboxId'
    | 'state'
    | 'tookJobId'
    | 'lastError'
    // A warm runner taken by a launch learns these.
    | 'launchedForJobId'
    | 'scope'
    | 'installationId'
  >
> & { readonly at: number };

export interface ObserveResult {
  readonly job: JobRecord;
  /** False when the observation was a duplicate or older than what we knew. */
  readonly changed: boolean;
}

/**
 * Durable state of jobs and runners. Every implementation passes the contract suite in
 * `test/ledger/ledger-contract.ts`. Methods are async so that a shared store can implement it.
 */
export interface Ledger {
  /** Records what a webhook says; status only moves forward, so replays change nothing. */
  observeJob(observation: JobObservation): Promise<ObserveResult>;
  getJob(id: number): Promise<JobRecord | undefined>;
  listJobs(statuses: readonly JobStatus[]): Promise<JobRecord[]>;
  updateJob(id: number, patch: JobPatch): Promise<JobRecord | undefined>;

  insertRunner(runner: RunnerRecord): Promise<void>;
  getRunner(name: string): Promise<RunnerRecord | undefined>;
  updateRunner(name: string, patch: RunnerPatch): Promise<RunnerRecord | undefined>;
  listRunners(states: readonly RunnerState[]): Promise<RunnerRecord[]>;

  /** Small durable values of the reconciler (for example when deliveries were last checked). */
  getMeta(key: string): Promise<string | undefined>;
  setMeta(key: string, value: string): Promise<void>;

  /** Forgets completed jobs and done or failed runners last updated before `before`. */
  prune(before: number): Promise<{ readonly jobs: number; readonly runners: number }>;

  close(): Promise<void>;
}

/** Merges an observation into what we knew; pure, shared by every implementation. */
export function mergeJobObservation(
  previous: JobRecord | undefined,
  o: JobObservation,
): ObserveResult {
  if (previous === undefined) {
    return {
      changed: true,
      job: {
        id: o.id,
        runId: o.runId,
        runAttempt: o.runAttempt,
        repo: o.repo,
        org: o.org,
        installationId: o.installationId,
        labels: o.labels,
        runnerClass: o.runnerClass,
        scope: o.scope,
        status: o.status,
        conclusion: o.conclusion,
        runnerName: o.runnerName,
        createdAt: o.at,
        queuedAt: o.status === 'waiting' ? null : o.at,
        startedAt: JOB_STATUS_ORDER[o.status] >= JOB_STATUS_ORDER.in_progress ? o.at : null,
        completedAt: o.status === 'completed' ? o.at : null,
        updatedAt: o.at,
        launchAttempts: 0,
        nextAttemptAt: 0,
        lastError: null,
        foreign: o.foreign ?? false,
      },
    };
  }
  const forward = JOB_STATUS_ORDER[o.status] > JOB_STATUS_ORDER[previous.status];
  const learnsRunner = previous.runnerName === null && o.runnerName !== null;
  if (!forward && !learnsRunner) return { job: previous, changed: false };
  const status = forward ? o.status : previous.status;
  return {
    changed: true,
    job: {
      ...previous,
      status,
      conclusion: o.conclusion ?? previous.conclusion,
      runnerName: previous.runnerName ?? o.runnerName,
      queuedAt: previous.queuedAt ?? (status === 'waiting' ? null : o.at),
      startedAt:
        previous.startedAt ??
        (JOB_STATUS_ORDER[status] >= JOB_STATUS_ORDER.in_progress ? o.at : null),
      completedAt: previous.completedAt ?? (status === 'completed' ? o.at : null),
      updatedAt: o.at,
    },
  };
}
