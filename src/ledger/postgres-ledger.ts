import {
  mergeJobObservation,
  type JobObservation,
  type Ledger,
  type ObserveResult,
} from './ledger.js';
import {
  connectPostgres,
  type ConnectOptions,
  type PostgresConnection,
} from './postgres-connection.js';
import { fencedPostgresLedger, type Fence } from './postgres-fenced-ledger.js';
import { migratePostgres, type SchemaVersion } from './postgres-migrations.js';
import {
  JOB_COLUMNS,
  JOB_PATCH_COLUMNS,
  RUNNER_COLUMNS,
  duplicateRunner,
  jobValues,
  placeholders,
  runnerPatchSql,
  runnerValues,
  toJob,
  toRunner,
  type JobRow,
  type RunnerRow,
} from './postgres-rows.js';

export type { Fence } from './postgres-fenced-ledger.js';

export interface PostgresLedger extends Ledger {
  readonly db: PostgresConnection;
  /**
   * The ledger a leader term writes through: inserting and updating runners and updating jobs
   * hold only while `fence.epoch` is the lease's epoch in the database (the statement joins the
   * lease row and locks it against a takeover), and only while `fence.holds()`. A refused write
   * throws LeadershipLostError. Reads and job observations are the same as the plain ledger's.
   */
  fenced(fence: Fence): Ledger;
}

/** Tries of an observation that races another replica's write of the same job. */
const MAX_OBSERVE_TRIES = 20;

/** Connects to DATABASE_URL, migrates (once across replicas) and opens the ledger on it. */
export async function openPostgresLedger(
  options: ConnectOptions,
): Promise<{ ledger: PostgresLedger; schema: SchemaVersion }> {
  const db = await connectPostgres(options);
  try {
    const schema = await migratePostgres(db);
    return { ledger: createPostgresLedger(db), schema };
  } catch (error) {
    await db.close();
    throw error;
  }
}

/**
 * The ledger in PostgreSQL, shared by every replica. Nothing is cached in memory: any replica
 * may write. A job observation is a compare-and-set on the job's status and runner, retried when
 * another replica changed them in between, so that status only ever moves forward.
 */
export function createPostgresLedger(db: PostgresConnection): PostgresLedger {
  const { query } = db;
  const insertJob = `INSERT INTO jobs (${JOB_COLUMNS.join(', ')}) VALUES (${placeholders(JOB_COLUMNS.length)}) ON CONFLICT (id) DO NOTHING RETURNING *`;
  const advanceJob = `UPDATE jobs SET status = $2, conclusion = $3, runner_name = $4, queued_at = $5, started_at = $6, completed_at = $7, updated_at = $8
    WHERE id = $1 AND status = $9 AND runner_name IS NOT DISTINCT FROM $10 RETURNING *`;

  const getJob = async (id: number) => {
    const [row] = await query<JobRow>('SELECT * FROM jobs WHERE id = $1', [id]);
    return row ? toJob(row) : undefined;
  };

  async function observeJob(o: JobObservation): Promise<ObserveResult> {
    // A queued or waiting job is usually new: try the insert first (one round trip).
    let previous = o.status === 'queued' || o.status === 'waiting' ? undefined : await getJob(o.id);
    for (let attempt = 0; attempt < MAX_OBSERVE_TRIES; attempt++) {
      const result = mergeJobObservation(previous, o);
      if (!result.changed) return result;
      const j = result.job;
      const [row] =
        previous === undefined
          ? await query<JobRow>(insertJob, jobValues(j))
          : await query<JobRow>(advanceJob, [
              j.id,
              j.status,
              j.conclusion,
              j.runnerName,
              j.queuedAt,
              j.startedAt,
              j.completedAt,
              j.updatedAt,
              previous.status,
              previous.runnerName,
            ]);
      if (row) return { job: toJob(row), changed: true };
      previous = await getJob(o.id);
    }
    throw new Error(
      `job ${o.id} kept changing under ${MAX_OBSERVE_TRIES} tries to record an observation`,
    );
  }

  const ledger: PostgresLedger = {
    db,
    observeJob,
    getJob,
    async listJobs(statuses) {
      if (statuses.length === 0) return [];
      const rows = await query<JobRow>('SELECT * FROM jobs WHERE status = ANY($1)', [statuses]);
      return rows.map(toJob);
    },
    async updateJob(id, patch) {
      const sets: string[] = [];
      const values: unknown[] = [id];
      for (const [key, column] of Object.entries(JOB_PATCH_COLUMNS)) {
        const value = patch[key as keyof typeof JOB_PATCH_COLUMNS];
        if (value === undefined) continue;
        values.push(value);
        sets.push(`${column} = $${values.length}`);
      }
      if (sets.length === 0) return getJob(id);
      const [row] = await query<JobRow>(
        `UPDATE jobs SET ${sets.join(', ')} WHERE id = $1 RETURNING *`,
        values,
      );
      return row ? toJob(row) : undefined;
    },
    async insertRunner(runner) {
      try {
        await query(
          `INSERT INTO runners (${RUNNER_COLUMNS.join(', ')}) VALUES (${placeholders(RUNNER_COLUMNS.length)})`,
          runnerValues(runner),
        );
      } catch (error) {
        throw duplicateRunner(runner.name, error);
      }
    },
    async getRunner(name) {
      const [row] = await query<RunnerRow>('SELECT * FROM runners WHERE name = $1', [name]);
      return row ? toRunner(row) : undefined;
    },
    async updateRunner(name, patch) {
      const { set, values } = runnerPatchSql(patch, 2);
      const [row] = await query<RunnerRow>(
        `UPDATE runners SET ${set} WHERE name = $1 RETURNING *`,
        [name, ...values],
      );
      return row ? toRunner(row) : undefined;
    },
    async listRunners(states) {
      if (states.length === 0) return [];
      const rows = await query<RunnerRow>('SELECT * FROM runners WHERE state = ANY($1)', [states]);
      return rows.map(toRunner);
    },
    async getMeta(key) {
      const [row] = await query<{ value: string }>('SELECT value FROM meta WHERE key = $1', [key]);
      return row?.value;
    },
    async setMeta(key, value) {
      await query(
        'INSERT INTO meta (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value',
        [key, value],
      );
    },
    async prune(before) {
      const count = async (sql: string) => (await query<{ n: number }>(sql, [before]))[0]?.n ?? 0;
      return {
        jobs: await count(
          "WITH d AS (DELETE FROM jobs WHERE status = 'completed' AND updated_at < $1 RETURNING 1) SELECT count(*)::int AS n FROM d",
        ),
        runners: await count(
          "WITH d AS (DELETE FROM runners WHERE state IN ('done', 'failed') AND updated_at < $1 RETURNING 1) SELECT count(*)::int AS n FROM d",
        ),
      };
    },
    close: () => db.close(),
    fenced: (fence) => fencedPostgresLedger(ledger, fence),
  };
  return ledger;
}
