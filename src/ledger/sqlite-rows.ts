import type { JobStatus } from '../domain/job-status.js';
import type { RunnerScope } from '../domain/runner-scope.js';
import type { RunnerState } from '../domain/runner-state.js';
import type { JobRecord, RunnerRecord } from './ledger.js';

/** A job as the `jobs` table holds it. */
export interface JobRow {
  id: number;
  run_id: number;
  run_attempt: number;
  repo: string;
  org: string;
  installation_id: number;
  labels: string;
  runner_class: string;
  scope: string;
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
  foreign_job: number;
}

export interface RunnerRow {
  name: string;
  runner_id: number | null;
  sandbox_id: string | null;
  runner_class: string;
  scope: string;
  installation_id: number;
  state: string;
  launched_for_job_id: number | null;
  took_job_id: number | null;
  created_at: number;
  updated_at: number;
  last_error: string | null;
}

export const toJob = (r: JobRow): JobRecord => ({
  id: r.id,
  runId: r.run_id,
  runAttempt: r.run_attempt,
  repo: r.repo,
  org: r.org,
  installationId: r.installation_id,
  labels: JSON.parse(r.labels) as string[],
  runnerClass: r.runner_class,
  scope: JSON.parse(r.scope) as RunnerScope,
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
  foreign: r.foreign_job === 1,
});

export const fromJob = (j: JobRecord): JobRow => ({
  id: j.id,
  run_id: j.runId,
  run_attempt: j.runAttempt,
  repo: j.repo,
  org: j.org,
  installation_id: j.installationId,
  labels: JSON.stringify(j.labels),
  runner_class: j.runnerClass,
  scope: JSON.stringify(j.scope),
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
  foreign_job: j.foreign ? 1 : 0,
});

export const toRunner = (r: RunnerRow): RunnerRecord => ({
  name: r.name,
  runnerId: r.runner_id,
  sandboxId: r.sandbox_id,
  runnerClass: r.runner_class,
  scope: JSON.parse(r.scope) as RunnerScope,
  installationId: r.installation_id,
  state: r.state as RunnerState,
  launchedForJobId: r.launched_for_job_id,
  tookJobId: r.took_job_id,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
  lastError: r.last_error,
});

export const fromRunner = (r: RunnerRecord): RunnerRow => ({
  name: r.name,
  runner_id: r.runnerId,
  sandbox_id: r.sandboxId,
  runner_class: r.runnerClass,
  scope: JSON.stringify(r.scope),
  installation_id: r.installationId,
  state: r.state,
  launched_for_job_id: r.launchedForJobId,
  took_job_id: r.tookJobId,
  created_at: r.createdAt,
  updated_at: r.updatedAt,
  last_error: r.lastError,
});

export const JOB_COLUMNS = Object.keys(fromJob({} as JobRecord));
export const RUNNER_COLUMNS = Object.keys(fromRunner({ scope: {} } as RunnerRecord));
