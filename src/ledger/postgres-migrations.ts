import { LedgerSchemaError } from './ledger-error.js';
import { translatePostgresError, type PostgresConnection } from './postgres-connection.js';

export interface Migration {
  /** Moves the schema from `version - 1` to `version`. Never edited once released. */
  readonly version: number;
  readonly sql: string;
  /**
   * The oldest schema version whose code still works once this migration ran. Rolling upgrades
   * run the previous release beside the new one, so a migration keeps the previous version's
   * code working (it only adds tables, nullable columns or indexes) and says so here; one that
   * cannot sets its own version, and replicas older than it refuse to start.
   */
  readonly compatibleFrom: number;
}

/** Versioned schema of the PostgreSQL ledger, in order. Only ever appended to. */
export const POSTGRES_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    compatibleFrom: 1,
    sql: `
    CREATE TABLE jobs (
      id BIGINT PRIMARY KEY,
      run_id BIGINT NOT NULL,
      run_attempt INTEGER NOT NULL,
      repo TEXT NOT NULL,
      org TEXT NOT NULL,
      installation_id BIGINT NOT NULL,
      labels JSONB NOT NULL,
      runner_class TEXT NOT NULL,
      scope JSONB NOT NULL,
      status TEXT NOT NULL,
      conclusion TEXT,
      runner_name TEXT,
      created_at BIGINT NOT NULL,
      queued_at BIGINT,
      started_at BIGINT,
      completed_at BIGINT,
      updated_at BIGINT NOT NULL,
      launch_attempts INTEGER NOT NULL DEFAULT 0,
      next_attempt_at BIGINT NOT NULL DEFAULT 0,
      last_error TEXT,
      -- Not a job of ours, recorded because it took one of our runners.
      foreign_job BOOLEAN NOT NULL DEFAULT false
    );
    CREATE INDEX jobs_by_status ON jobs (status);
    CREATE TABLE runners (
      name TEXT PRIMARY KEY,
      runner_id BIGINT,
      sandbox_id TEXT,
      runner_class TEXT NOT NULL,
      scope JSONB NOT NULL,
      installation_id BIGINT NOT NULL,
      state TEXT NOT NULL,
      launched_for_job_id BIGINT,
      took_job_id BIGINT,
      created_at BIGINT NOT NULL,
      updated_at BIGINT NOT NULL,
      last_error TEXT,
      -- The lease epoch of the leader that last wrote the row (null: written by a webhook).
      fence_epoch BIGINT
    );
    CREATE INDEX runners_by_state ON runners (state);
    CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    -- The leader's lease: one row. A new holder raises the epoch; fenced writes name it.
    CREATE TABLE leader_lease (
      id SMALLINT PRIMARY KEY CHECK (id = 1),
      epoch BIGINT NOT NULL,
      holder TEXT NOT NULL,
      acquired_at TIMESTAMPTZ NOT NULL,
      expires_at TIMESTAMPTZ NOT NULL
    );
    `,
  },
];

/** The advisory lock that serializes migrations, one per schema. */
const LOCK_KEY_SQL = "hashtext('modal-github-runner migrations ' || current_schema())";

export interface SchemaVersion {
  /** Migrations applied in the database. */
  readonly current: number;
  /** Migrations this build knows. */
  readonly latest: number;
  /** The oldest code version the database still works with. */
  readonly compatibleFrom: number;
}

/**
 * Brings the schema up to this build's version, in one transaction under an advisory lock, so
 * that replicas starting together migrate once (the others wait, then find nothing to do).
 * Refuses to run against a schema that needs newer code than this.
 */
export async function migratePostgres(
  db: PostgresConnection,
  migrations: readonly Migration[] = POSTGRES_MIGRATIONS,
): Promise<SchemaVersion> {
  const client = await db.pool.connect().catch((error: unknown) => {
    throw translatePostgresError(db.where, error);
  });
  try {
    await client.query('BEGIN');
    await client.query(`SELECT pg_advisory_xact_lock(${LOCK_KEY_SQL})`);
    await client.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
      version INTEGER PRIMARY KEY,
      compatible_from INTEGER NOT NULL,
      applied_at TIMESTAMPTZ NOT NULL DEFAULT now()
    )`);
    const before = await readVersion(client, migrations.length);
    checkCompatible(before, db.where);
    for (const migration of migrations.filter((m) => m.version > before.current)) {
      await client.query(migration.sql);
      await client.query(
        'INSERT INTO schema_migrations (version, compatible_from) VALUES ($1, $2)',
        [migration.version, migration.compatibleFrom],
      );
    }
    const after = await readVersion(client, migrations.length);
    await client.query('COMMIT');
    return after;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {});
    throw translatePostgresError(db.where, error);
  } finally {
    client.release();
  }
}

/** What `doctor` shows: the schema version without changing anything. */
export async function readSchemaVersion(
  db: PostgresConnection,
  latest = POSTGRES_MIGRATIONS.length,
): Promise<SchemaVersion> {
  const [exists] = await db.query<{ present: boolean }>(
    "SELECT to_regclass('schema_migrations') IS NOT NULL AS present",
  );
  if (!exists?.present) return { current: 0, latest, compatibleFrom: 0 };
  return readVersion({ query: (text) => db.pool.query(text) }, latest);
}

async function readVersion(
  client: { query(text: string): Promise<{ rows: unknown[] }> },
  latest: number,
): Promise<SchemaVersion> {
  const { rows } = await client.query(
    'SELECT COALESCE(MAX(version), 0) AS current, COALESCE(MAX(compatible_from), 0) AS compatible_from FROM schema_migrations',
  );
  const row = rows[0] as { current: number; compatible_from: number } | undefined;
  return { current: row?.current ?? 0, latest, compatibleFrom: row?.compatible_from ?? 0 };
}

/** Throws when the database has moved past what this build's code can work with. */
export function checkCompatible(version: SchemaVersion, where: string): void {
  if (version.current > version.latest && version.compatibleFrom > version.latest) {
    throw new LedgerSchemaError(
      `the ledger schema in ${where} is at version ${version.current} and needs code of schema version ${version.compatibleFrom} or newer; this build knows ${version.latest}: run a newer modal-github-runner`,
    );
  }
}
