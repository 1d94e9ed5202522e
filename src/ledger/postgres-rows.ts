import type { RunnerScope } from '../domain/runner-scope.js';
import type { JobPatch, JobRecord, RunnerPatch, RunnerRecord } from './ledger.js';
import { rowMapping, type JobRowOf, type RunnerRowOf } from './record-rows.js';

/** node-postgres returns JSONB parsed (labels, scope) and BOOLEAN as booleans. */
interface PostgresRead {
  readonly labels: string[];
  readonly scope: RunnerScope;
  readonly flag: boolean;
}

/** …and is given JSONB as JSON text (it would send an array as a PostgreSQL array). */
interface PostgresWrite {
  readonly labels: string;
  readonly scope: string;
  readonly flag: boolean;
}

const rows = rowMapping<PostgresRead, PostgresWrite>({
  read: { labels: (v) => v, scope: (v) => v, flag: (v) => v },
  write: { labels: (v) => JSON.stringify(v), scope: (v) => JSON.stringify(v), flag: (v) => v },
});

/** A `jobs` row as node-postgres returns it (BIGINT parsed to numbers, JSONB to values). */
export type JobRow = JobRowOf<PostgresRead>;
export type RunnerRow = RunnerRowOf<PostgresRead>;

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

export const { toJob, toRunner } = rows;

/** The job's values in JOB_COLUMNS order (JSONB as JSON text). */
export const jobValues = (j: JobRecord): unknown[] => {
  const row = rows.fromJob(j);
  return JOB_COLUMNS.map((column) => row[column]);
};

/** The runner's values in RUNNER_COLUMNS order. */
export const runnerValues = (r: RunnerRecord): unknown[] => {
  const row = rows.fromRunner(r);
  return RUNNER_COLUMNS.map((column) => row[column]);
};

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
