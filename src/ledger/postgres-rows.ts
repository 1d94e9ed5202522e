import type { JobStatus } from '../domain/job-status.js';
import type { RunnerScope } from '../domain/runner-scope.js';
import type { RunnerState } from '../domain/runner-state.js';
import type { JobPatch, JobRecord, RunnerPatch, RunnerRecord } from './ledger.js';

/** A `jobs` row as node-postgres returns it (BIGINT parsed to numbers, JSONB to values). */
export interface JobRow {
  id: number;
  run_id: number;
  run_attempt: number;
  repo: string;
  org: string;
  installation_id: number;
  labels: string[];
  runner_class: string;
  scope: RunnerScope;
  status: string;
  conclusion: string | null;
  runner_name: string | null;
  created_at: number;
  queued_at: number | null;
  started_at: number | null;
  completed_at: number | null;
  updated_at: number;
  launch_attempts: number;
  next_attempt_at: number;
  last_error: string | null;
  foreign_job: boolean;
}

export interface RunnerRow {
  name: string;
  runner_id: number | null;
  sandbox_id: string | null;
  runner_class: string;
  scope: RunnerScope;
  installation_id: number;
  state: string;
  launched_for_job_id: number | null;
  took_job_id: number | null;
  created_at: number;
  updated_at: number;
  last_error: string | null;
}

export const JOB_COLUMNS = [
  'id',
  'run_id',
  'run_attempt',
  'repo',
  'org',
  'installation_id',
  'labels',
  'runner_class',
  'scope',
  'status',
  'conclusion',
  'runner_name',
  'created_at',
  'queued_at',
  'started_at',
  'completed_at',
  'updated_at',
  'launch_attempts',
  'next_attempt_at',
  'last_error',
  'foreign_job',
] as const;

export const RUNNER_COLUMNS = [
  'name',
  'runner_id',
  'sandbox_id',
  'runner_class',
  'scope',
  'installation_id',
  'state',
  'launched_for_job_id',
  'took_job_id',
  'created_at',
  'updated_at',
  'last_error',
] as const;

export const toJob = (r: JobRow): JobRecord => ({
  id: r.id,
  runId: r.run_id,
  runAttempt: r.run_attempt,
  repo: r.repo,
  org: r.org,
  installationId: r.installation_id,
  labels: r.labels,
  runnerClass: r.runner_class,
  scope: r.scope,
  status: r.status as JobStatus,
  conclusion: r.conclusion,
  runnerName: r.runner_name,
  createdAt: r.created_at,
  queuedAt: r.queued_at,
  startedAt: r.started_at,
  completedAt: r.completed_at,
  updatedAt: r.updated_at,
  launchAttempts: r.launch_attempts,
  nextAttemptAt: r.next_attempt_at,
  lastError: r.last_error,
  foreign: r.foreign_job,
});

/** The job's values in JOB_COLUMNS order (JSONB as JSON text). */
export const jobValues = (j: JobRecord): unknown[] => [
  j.id,
  j.runId,
  j.runAttempt,
  j.repo,
  j.org,
  j.installationId,
  JSON.stringify(j.labels),
  j.runnerClass,
  JSON.stringify(j.scope),
  j.status,
  j.conclusion,
  j.runnerName,
  j.createdAt,
  j.queuedAt,
  j.startedAt,
  j.completedAt,
  j.updatedAt,
  j.launchAttempts,
  j.nextAttemptAt,
  j.lastError,
  j.foreign,
];

export const toRunner = (r: RunnerRow): RunnerRecord => ({
  name: r.name,
  runnerId: r.runner_id,
  sandboxId: r.sandbox_id,
  runnerClass: r.runner_class,
  scope: r.scope,
  installationId: r.installation_id,
  state: r.state as RunnerState,
  launchedForJobId: r.launched_for_job_id,
  tookJobId: r.took_job_id,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
  lastError: r.last_error,
});

/** The runner's values in RUNNER_COLUMNS order. */
export const runnerValues = (r: RunnerRecord): unknown[] => [
  r.name,
  r.runnerId,
  r.sandboxId,
  r.runnerClass,
  JSON.stringify(r.scope),
  r.installationId,
  r.state,
  r.launchedForJobId,
  r.tookJobId,
  r.createdAt,
  r.updatedAt,
  r.lastError,
];

/** Column of each field a RunnerPatch may set. */
const RUNNER_PATCH_COLUMNS: Readonly<Record<Exclude<keyof RunnerPatch, 'at'>, string>> = {
  runnerId: 'runner_id',
  sandboxId: 'sandbox_id',
  state: 'state',
  tookJobId: 'took_job_id',
  lastError: 'last_error',
  launchedForJobId: 'launched_for_job_id',
  scope: 'scope',
  installationId: 'installation_id',
};

/**
 * `col = $n` assignments of a runner patch (only the fields it sets, so that concurrent writers
 * of other fields are not overwritten), numbered from `first`, with their values.
 */
export function runnerPatchSql(
  { at, ...patch }: RunnerPatch,
  first: number,
): { readonly set: string; readonly values: unknown[] } {
  const assignments = ['updated_at = $' + first];
  const values: unknown[] = [at];
  for (const [key, value] of Object.entries(patch)) {
    if (value === undefined) continue;
    const column = RUNNER_PATCH_COLUMNS[key as keyof typeof RUNNER_PATCH_COLUMNS];
    values.push(key === 'scope' ? JSON.stringify(value) : value);
    assignments.push(`${column} = $${first + values.length - 1}`);
  }
  return { set: assignments.join(', '), values };
}

/** Column of each field a JobPatch may set. */
const JOB_PATCH_COLUMNS: Readonly<Record<keyof JobPatch, string>> = {
  launchAttempts: 'launch_attempts',
  nextAttemptAt: 'next_attempt_at',
  lastError: 'last_error',
};

/**
 * `col = $n` assignments of a job patch (only the fields it sets), numbered from `first`, with
 * their values; `set` is empty when the patch sets nothing.
 */
export function jobPatchSql(
  patch: JobPatch,
  first: number,
): { readonly set: string; readonly values: unknown[] } {
  const assignments: string[] = [];
  const values: unknown[] = [];
  for (const [key, column] of Object.entries(JOB_PATCH_COLUMNS)) {
    const value = patch[key as keyof JobPatch];
    if (value === undefined) continue;
    values.push(value);
    assignments.push(`${column} = $${first + values.length - 1}`);
  }
  return { set: assignments.join(', '), values };
}

/** `$first, $first+1, …` for `count` values. */
export const placeholders = (count: number, first = 1): string =>
  Array.from({ length: count }, (_, i) => `$${first + i}`).join(', ');

/** A duplicate runner name as the ledger contract's error; anything else as it was. */
export function duplicateRunner(name: string, error: unknown): unknown {
  return (error as { code?: unknown } | null)?.code === '23505'
    ? new Error(`runner ${name} is already recorded`, { cause: error })
    : error;
}
