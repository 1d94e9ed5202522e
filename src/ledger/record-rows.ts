import type { JobStatus } from '../domain/job-status.js';
import type { RunnerScope } from '../domain/runner-scope.js';
import type { RunnerState } from '../domain/runner-state.js';
import type { JobRecord, RunnerRecord } from './ledger.js';

/**
 * A `jobs` row of either SQL ledger: the same columns everywhere, with the JSON columns and the
 * flag as each database stores them (`J`: labels and scope, `F`: foreign_job).
 */
export interface JobRowOf<J extends Columns> {
  id: number;
  run_id: number;
  run_attempt: number;
  repo: string;
  org: string;
  installation_id: number;
  labels: J['labels'];
  runner_class: string;
  scope: J['scope'];
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
  foreign_job: J['flag'];
}

/** A `runners` row of either SQL ledger, with the scope as the database stores it. */
export interface RunnerRowOf<J extends Columns> {
  name: string;
  runner_id: number | null;
  sandbox_id: string | null;
  runner_class: string;
  scope: J['scope'];
  installation_id: number;
  state: string;
  launched_for_job_id: number | null;
  took_job_id: number | null;
  created_at: number;
  updated_at: number;
  last_error: string | null;
}

/** How a database stores the columns that are not plain numbers and strings. */
export interface Columns {
  readonly labels: unknown;
  readonly scope: unknown;
  readonly flag: unknown;
}

/** Reading those columns. */
interface ColumnReader<J extends Columns> {
  labels(v: J['labels']): string[];
  scope(v: J['scope']): RunnerScope;
  flag(v: J['flag']): boolean;
}

/** Writing those columns. */
interface ColumnWriter<J extends Columns> {
  labels(v: readonly string[]): J['labels'];
  scope(v: RunnerScope): J['scope'];
  flag(v: boolean): J['flag'];
}

const jobFromRow = <J extends Columns>(r: JobRowOf<J>, c: ColumnReader<J>): JobRecord => ({
  id: r.id,
  runId: r.run_id,
  runAttempt: r.run_attempt,
  repo: r.repo,
  org: r.org,
  installationId: r.installation_id,
  labels: c.labels(r.labels),
  runnerClass: r.runner_class,
  scope: c.scope(r.scope),
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
  foreign: c.flag(r.foreign_job),
});

const jobToRow = <J extends Columns>(j: JobRecord, c: ColumnWriter<J>): JobRowOf<J> => ({
  id: j.id,
  run_id: j.runId,
  run_attempt: j.runAttempt,
  repo: j.repo,
  org: j.org,
  installation_id: j.installationId,
  labels: c.labels(j.labels),
  runner_class: j.runnerClass,
  scope: c.scope(j.scope),
  status: j.status,
  conclusion: j.conclusion,
  runner_name: j.runnerName,
  created_at: j.createdAt,
  queued_at: j.queuedAt,
  started_at: j.startedAt,
  completed_at: j.completedAt,
  updated_at: j.updatedAt,
  launch_attempts: j.launchAttempts,
  next_attempt_at: j.nextAttemptAt,
  last_error: j.lastError,
  foreign_job: c.flag(j.foreign),
});

const runnerFromRow = <J extends Columns>(
  r: RunnerRowOf<J>,
  c: Pick<ColumnReader<J>, 'scope'>,
): RunnerRecord => ({
  name: r.name,
  runnerId: r.runner_id,
  sandboxId: r.sandbox_id,
  runnerClass: r.runner_class,
  scope: c.scope(r.scope),
  installationId: r.installation_id,
  state: r.state as RunnerState,
  launchedForJobId: r.launched_for_job_id,
  tookJobId: r.took_job_id,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
  lastError: r.last_error,
});

const runnerToRow = <J extends Columns>(
  r: RunnerRecord,
  c: Pick<ColumnWriter<J>, 'scope'>,
): RunnerRowOf<J> => ({
  name: r.name,
  runner_id: r.runnerId,
  sandbox_id: r.sandboxId,
  runner_class: r.runnerClass,
  scope: c.scope(r.scope),
  installation_id: r.installationId,
  state: r.state,
  launched_for_job_id: r.launchedForJobId,
  took_job_id: r.tookJobId,
  created_at: r.createdAt,
  updated_at: r.updatedAt,
  last_error: r.lastError,
});

/** A database's four mappings between records and rows, from how it reads and writes columns. */
export const rowMapping = <R extends Columns, W extends Columns>({
  read,
  write,
}: {
  readonly read: ColumnReader<R>;
  readonly write: ColumnWriter<W>;
}) => ({
  toJob: (r: JobRowOf<R>): JobRecord => jobFromRow(r, read),
  fromJob: (j: JobRecord): JobRowOf<W> => jobToRow(j, write),
  toRunner: (r: RunnerRowOf<R>): RunnerRecord => runnerFromRow(r, read),
  fromRunner: (r: RunnerRecord): RunnerRowOf<W> => runnerToRow(r, write),
});
