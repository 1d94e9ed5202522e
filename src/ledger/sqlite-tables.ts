import type Database from 'better-sqlite3';
import type { JobStatus } from '../domain/job-status.js';
import { LIVE_RUNNER_STATES, type RunnerState } from '../domain/runner-state.js';
import type { JobRecord, RunnerRecord } from './ledger.js';
import {
  fromJob,
  fromRunner,
  JOB_COLUMNS,
  RUNNER_COLUMNS,
  toJob,
  toRunner,
  type JobRow,
  type RunnerRow,
} from './sqlite-rows.js';

/** Job states that are not final: these jobs are kept in memory as well. */
export const OPEN_JOB_STATUSES: ReadonlySet<JobStatus> = new Set([
  'waiting',
  'queued',
  'in_progress',
]);
export const LIVE: ReadonlySet<RunnerState> = new Set(LIVE_RUNNER_STATES);

/**
 * The ledger's tables, through prepared statements, and the in-memory mirror of open jobs and
 * live runners in front of them (written through; only the directory's owner keeps one).
 */
export interface SqliteTables {
  readJob(id: number): JobRecord | undefined;
  readRunner(name: string): RunnerRecord | undefined;
  /** Writes a job (insert or replace); the mirror follows with `mirrorJob` after the commit. */
  writeJob(job: JobRecord): void;
  insertRunner(runner: RunnerRecord): void;
  writeRunner(runner: RunnerRecord): void;
  mirrorJob(job: JobRecord): void;
  mirrorRunner(runner: RunnerRecord): void;
  listJobs(statuses: readonly JobStatus[]): JobRecord[];
  listRunners(states: readonly RunnerState[]): RunnerRecord[];
  getMeta(key: string): string | undefined;
  setMeta(key: string, value: string): void;
  prune(before: number): { readonly jobs: number; readonly runners: number };
}

/** The statements the ledger runs, prepared once. */
function prepare(db: Database.Database) {
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

  return {
    getJob,
    upsertJob,
    getRunner,
    insertRunner,
    replaceRunner,
    listBy,
    getMeta,
    setMeta,
    pruneJobs,
    pruneRunners,
  };
}

export function sqliteTables(db: Database.Database, mirror: boolean): SqliteTables {
  const statements = prepare(db);
  const { getJob, upsertJob, getRunner, insertRunner, replaceRunner, listBy } = statements;
  const { getMeta, setMeta, pruneJobs, pruneRunners } = statements;
  const openJobs = new Map<number, JobRecord>();
  const liveRunners = new Map<string, RunnerRecord>();
  const tables: SqliteTables = {
    readJob: (id) => {
      const cached = openJobs.get(id);
      if (cached) return cached;
      const row = getJob.get(id);
      return row ? toJob(row) : undefined;
    },
    readRunner: (name) => {
      const cached = liveRunners.get(name);
      if (cached) return cached;
      const row = getRunner.get(name);
      return row ? toRunner(row) : undefined;
    },
    writeJob: (job) => void upsertJob.run(fromJob(job)),
    insertRunner: (runner) => void insertRunner.run(fromRunner(runner)),
    writeRunner: (runner) => void replaceRunner.run(fromRunner(runner)),
    mirrorJob(job) {
      if (!mirror) return;
      if (OPEN_JOB_STATUSES.has(job.status)) openJobs.set(job.id, job);
      else openJobs.delete(job.id);
    },
    mirrorRunner(runner) {
      if (!mirror) return;
      if (LIVE.has(runner.state)) liveRunners.set(runner.name, runner);
      else liveRunners.delete(runner.name);
    },
    listJobs(statuses) {
      if (mirror && statuses.every((status) => OPEN_JOB_STATUSES.has(status))) {
        const wanted = new Set(statuses);
        return [...openJobs.values()].filter((job) => wanted.has(job.status));
      }
      return listBy<JobRow>('jobs', 'status', statuses).map(toJob);
    },
    listRunners(states) {
      if (mirror && states.every((state) => LIVE.has(state))) {
        const wanted = new Set(states);
        return [...liveRunners.values()].filter((runner) => wanted.has(runner.state));
      }
      return listBy<RunnerRow>('runners', 'state', states).map(toRunner);
    },
    getMeta: (key) => getMeta.get(key)?.value,
    setMeta: (key, value) => void setMeta.run(key, value),
    prune: (before) => ({
      jobs: pruneJobs.run(before).changes,
      runners: pruneRunners.run(before).changes,
    }),
  };
  if (mirror) {
    for (const row of listBy<JobRow>('jobs', 'status', [...OPEN_JOB_STATUSES])) {
      tables.mirrorJob(toJob(row));
    }
    for (const row of listBy<RunnerRow>('runners', 'state', [...LIVE])) {
      tables.mirrorRunner(toRunner(row));
    }
  }
  return tables;
}
