import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { RunnerScope } from '../domain/runner-scope.js';
import type { JobStatus } from '../domain/job-status.js';
import { LIVE_RUNNER_STATES, type RunnerState } from '../domain/runner-state.js';
import {
  mergeJobObservation,
  type JobObservation,
  type JobRecord,
  type Ledger,
  type ObserveResult,
  type RunnerRecord,
} from './ledger.js';

interface PendingObservation {
  readonly observation: JobObservation;
  resolve(result: ObserveResult): void;
  reject(error: unknown): void;
}
import { createPrivate, lockDataDir, type DataDirLock } from './data-dir-lock.js';
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
  foreign_job: number;
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
  foreign: r.foreign_job === 1,
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
  foreign_job: j.foreign ? 1 : 0,
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

/** Job states that are not final: these jobs are kept in memory as well. */
const OPEN_JOB_STATUSES: ReadonlySet<JobStatus> = new Set(['waiting', 'queued', 'in_progress']);
const LIVE: ReadonlySet<RunnerState> = new Set(LIVE_RUNNER_STATES);

/**
 * Opens (creating and migrating as needed) the embedded SQLite ledger in `dataDir`.
 *
 * Open jobs and live runners (what the controller plans with, every time it is woken) are also
 * kept in memory, written through on every change, so the hot reads cost no query and no row
 * decoding however large the queue. This is sound because one process owns a `DATA_DIR`.
 * Finished jobs and runners are read from SQLite.
 *
 * The owner holds an exclusive lock on the directory (a second server there fails at once) and
 * keeps its files private (0700, 0600). A recorded job survives power loss: job observations are
 * committed with `synchronous = FULL`, in one transaction per event-loop turn (group commit), so
 * a burst of webhooks shares one fsync; runner writes use NORMAL, since reconciliation rebuilds a
 * lost runner write from what Modal and GitHub show.
 */
export function openSqliteLedger(
  dataDir: string,
  options: {
    /**
     * False for a reader beside the process that owns the directory (a test, a tool): every
     * read then goes to SQLite, so it sees the owner's writes.
     */
    readonly mirror?: boolean;
  } = {},
): Ledger {
  const mirror = options.mirror ?? true;
  let db: Database.Database;
  let lock: DataDirLock | undefined;
  if (dataDir === ':memory:') {
    db = new Database(':memory:');
  } else {
    if (mirror) lock = lockDataDir(dataDir);
    const file = join(dataDir, 'ledger.sqlite');
    try {
      // SQLite gives its WAL and shared-memory files the database file's permissions.
      if (mirror) createPrivate(file);
      db = new Database(file);
      db.pragma('journal_mode = WAL');
    } catch (error) {
      lock?.release();
      throw error;
    }
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

  // The in-memory mirror of open jobs and live runners.
  const openJobs = new Map<number, JobRecord>();
  const liveRunners = new Map<string, RunnerRecord>();
  const mirrorJob = (job: JobRecord) => {
    if (!mirror) return;
    if (OPEN_JOB_STATUSES.has(job.status)) openJobs.set(job.id, job);
    else openJobs.delete(job.id);
  };
  const mirrorRunner = (runner: RunnerRecord) => {
    if (!mirror) return;
    if (LIVE.has(runner.state)) liveRunners.set(runner.name, runner);
    else liveRunners.delete(runner.name);
  };
  if (mirror) {
    for (const row of listBy<JobRow>('jobs', 'status', [...OPEN_JOB_STATUSES])) {
      mirrorJob(toJob(row));
    }
    for (const row of listBy<RunnerRow>('runners', 'state', [...LIVE])) mirrorRunner(toRunner(row));
  }
  const readJob = (id: number): JobRecord | undefined => {
    const cached = openJobs.get(id);
    if (cached) return cached;
    const row = getJob.get(id);
    return row ? toJob(row) : undefined;
  };
  const readRunner = (name: string): RunnerRecord | undefined => {
    const cached = liveRunners.get(name);
    if (cached) return cached;
    const row = getRunner.get(name);
    return row ? toRunner(row) : undefined;
  };

  /** Observations waiting for the next group commit, with their callers. */
  let batch: PendingObservation[] = [];
  const observeAll = db.transaction((items: readonly PendingObservation[]) => {
    // Two observations of one job in a batch: the second merges onto the first.
    const staged = new Map<number, JobRecord>();
    const results = items.map(({ observation }) => {
      const result = mergeJobObservation(
        staged.get(observation.id) ?? readJob(observation.id),
        observation,
      );
      if (result.changed) {
        upsertJob.run(fromJob(result.job));
        staged.set(result.job.id, result.job);
      }
      return result;
    });
    return { results, staged };
  });
  const commitBatch = () => {
    const items = batch;
    batch = [];
    let outcome: ReturnType<typeof observeAll>;
    try {
      db.pragma('synchronous = FULL');
      try {
        outcome = observeAll(items);
      } finally {
        db.pragma('synchronous = NORMAL');
      }
    } catch (error) {
      for (const item of items) item.reject(error);
      return;
    }
    // The mirror changes only after the transaction committed.
    for (const job of outcome.staged.values()) mirrorJob(job);
    items.forEach((item, i) => item.resolve(outcome.results[i] as ObserveResult));
  };
  const patchJob = db.transaction((id: number, patch: Parameters<Ledger['updateJob']>[1]) => {
    const job = readJob(id);
    if (!job) return undefined;
    const next = { ...job, ...patch };
    upsertJob.run(fromJob(next));
    return next;
  });
  const patchRunner = db.transaction(
    (name: string, { at, ...patch }: Parameters<Ledger['updateRunner']>[1]) => {
      const runner = readRunner(name);
      if (!runner) return undefined;
      const next = { ...runner, ...patch, updatedAt: at };
      replaceRunner.run(fromRunner(next));
      return next;
    },
  );

  return {
    observeJob(observation) {
      return new Promise<ObserveResult>((resolve, reject) => {
        if (!db.open) {
          reject(new Error('the ledger is closed'));
          return;
        }
        if (batch.length === 0) setImmediate(commitBatch);
        batch.push({ observation, resolve, reject });
      });
    },
    async getJob(id) {
      return readJob(id);
    },
    async listJobs(statuses) {
      if (mirror && statuses.every((status) => OPEN_JOB_STATUSES.has(status))) {
        const wanted = new Set(statuses);
        return [...openJobs.values()].filter((job) => wanted.has(job.status));
      }
      return listBy<JobRow>('jobs', 'status', statuses).map(toJob);
    },
    async updateJob(id, patch) {
      const job = patchJob(id, patch);
      if (job) mirrorJob(job);
      return job;
    },
    async insertRunner(runner) {
      try {
        insertRunner.run(fromRunner(runner));
        mirrorRunner(runner);
      } catch (error) {
        if ((error as { code?: string }).code === 'SQLITE_CONSTRAINT_PRIMARYKEY') {
          throw new Error(`runner ${runner.name} is already recorded`, { cause: error });
        }
        throw error;
      }
    },
    async getRunner(name) {
      return readRunner(name);
    },
    async updateRunner(name, patch) {
      const runner = patchRunner(name, patch);
      if (runner) mirrorRunner(runner);
      return runner;
    },
    async listRunners(states) {
      if (mirror && states.every((state) => LIVE.has(state))) {
        const wanted = new Set(states);
        return [...liveRunners.values()].filter((runner) => wanted.has(runner.state));
      }
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
      if (batch.length > 0) commitBatch();
      if (db.open) db.close();
      lock?.release();
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
