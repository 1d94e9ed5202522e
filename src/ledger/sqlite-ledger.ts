import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { RunnerScope } from '../controller/ports.js';
import {
  mergeJobObservation,
  type JobRecord,
  type JobStatus,
  type Ledger,
  type RunnerRecord,
  type RunnerState,
} from './ledger.js';
import { MIGRATIONS } from './sqlite-migrations.js';

interface JobRow {
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
}

interface RunnerRow {
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

const toJob = (r: JobRow): JobRecord => ({
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
});

const fromJob = (j: JobRecord): JobRow => ({
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
});

const toRunner = (r: RunnerRow): RunnerRecord => ({
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

const fromRunner = (r: RunnerRecord): RunnerRow => ({
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

const JOB_COLUMNS = Object.keys(fromJob({} as JobRecord));
const RUNNER_COLUMNS = Object.keys(fromRunner({ scope: {} } as RunnerRecord));

/** Opens (creating and migrating as needed) the embedded SQLite ledger in `dataDir`. */
export function openSqliteLedger(dataDir: string): Ledger {
  let db: Database.Database;
  if (dataDir === ':memory:') {
    db = new Database(':memory:');
  } else {
    mkdirSync(dataDir, { recursive: true });
    db = new Database(join(dataDir, 'ledger.sqlite'));
    db.pragma('journal_mode = WAL');
  }
  db.pragma('synchronous = NORMAL');
  db.pragma('busy_timeout = 5000');
  migrate(db);

  const placeholders = (cols: string[]) => cols.map((c) => `@${c}`).join(', ');
  const getJob = db.prepare<[number], JobRow>('SELECT * FROM jobs WHERE id = ?');
  const upsertJob = db.prepare<JobRow>(
    `INSERT OR REPLACE INTO jobs (${JOB_COLUMNS.join(', ')}) VALUES (${placeholders(JOB_COLUMNS)})`,
  );
  const getRunner = db.prepare<[string], RunnerRow>('SELECT * FROM runners WHERE name = ?');
  const insertRunner = db.prepare<RunnerRow>(
    `INSERT INTO runners (${RUNNER_COLUMNS.join(', ')}) VALUES (${placeholders(RUNNER_COLUMNS)})`,
  );
  const replaceRunner = db.prepare<RunnerRow>(
    `INSERT OR REPLACE INTO runners (${RUNNER_COLUMNS.join(', ')}) VALUES (${placeholders(RUNNER_COLUMNS)})`,
  );
  const listBy = <Row>(table: string, column: string, values: readonly string[]): Row[] =>
    values.length === 0
      ? []
      : (db
          .prepare(
            `SELECT * FROM ${table} WHERE ${column} IN (${values.map(() => '?').join(', ')})`,
          )
          .all(...values) as Row[]);

  const getMeta = db.prepare<[string], { value: string }>('SELECT value FROM meta WHERE key = ?');
  const setMeta = db.prepare<[string, string]>(
    'INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
  );
  const pruneJobs = db.prepare<[number]>(
    "DELETE FROM jobs WHERE status = 'completed' AND updated_at < ?",
  );
  const pruneRunners = db.prepare<[number]>(
    "DELETE FROM runners WHERE state IN ('done', 'failed') AND updated_at < ?",
  );

  const observe = db.transaction((observation: Parameters<Ledger['observeJob']>[0]) => {
    const row = getJob.get(observation.id);
    const result = mergeJobObservation(row ? toJob(row) : undefined, observation);
    if (result.changed) upsertJob.run(fromJob(result.job));
    return result;
  });
  const patchJob = db.transaction((id: number, patch: Parameters<Ledger['updateJob']>[1]) => {
    const row = getJob.get(id);
    if (!row) return undefined;
    const next = { ...toJob(row), ...patch };
    upsertJob.run(fromJob(next));
    return next;
  });
  const patchRunner = db.transaction(
    (name: string, { at, ...patch }: Parameters<Ledger['updateRunner']>[1]) => {
      const row = getRunner.get(name);
      if (!row) return undefined;
      const next = { ...toRunner(row), ...patch, updatedAt: at };
      replaceRunner.run(fromRunner(next));
      return next;
    },
  );

  return {
    async observeJob(observation) {
      return observe(observation);
    },
    async getJob(id) {
      const row = getJob.get(id);
      return row ? toJob(row) : undefined;
    },
    async listJobs(statuses) {
      return listBy<JobRow>('jobs', 'status', statuses).map(toJob);
    },
    async updateJob(id, patch) {
      return patchJob(id, patch);
    },
    async insertRunner(runner) {
      try {
        insertRunner.run(fromRunner(runner));
      } catch (error) {
        if ((error as { code?: string }).code === 'SQLITE_CONSTRAINT_PRIMARYKEY') {
          throw new Error(`runner ${runner.name} is already recorded`, { cause: error });
        }
        throw error;
      }
    },
    async getRunner(name) {
      const row = getRunner.get(name);
      return row ? toRunner(row) : undefined;
    },
    async updateRunner(name, patch) {
      return patchRunner(name, patch);
    },
    async listRunners(states) {
      return listBy<RunnerRow>('runners', 'state', states).map(toRunner);
    },
    async getMeta(key) {
      return getMeta.get(key)?.value;
    },
    async setMeta(key, value) {
      setMeta.run(key, value);
    },
    async prune(before) {
      return {
        jobs: pruneJobs.run(before).changes,
        runners: pruneRunners.run(before).changes,
      };
    },
    async close() {
      if (db.open) db.close();
    },
  };
}

function migrate(db: Database.Database): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > MIGRATIONS.length) {
    throw new Error(
      `the ledger's schema version ${current} is newer than this build knows (${MIGRATIONS.length}); run a newer modal-github-runner or point DATA_DIR at another directory`,
    );
  }
  for (let version = current; version < MIGRATIONS.length; version++) {
    db.transaction(() => {
      db.exec(MIGRATIONS[version] as string);
      db.pragma(`user_version = ${version + 1}`);
    })();
  }
}
