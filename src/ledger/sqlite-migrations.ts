/**
 * Versioned schema. Each entry moves the database from version `index` to `index + 1`
 * (`PRAGMA user_version`); entries are never edited once released, only appended.
 */
export const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE jobs (
    id INTEGER PRIMARY KEY,
    run_id INTEGER NOT NULL,
    run_attempt INTEGER NOT NULL,
    repo TEXT NOT NULL,
    org TEXT NOT NULL,
    installation_id INTEGER NOT NULL,
    labels TEXT NOT NULL,
    runner_class TEXT NOT NULL,
    scope TEXT NOT NULL,
    status TEXT NOT NULL,
    conclusion TEXT,
    runner_name TEXT,
    created_at INTEGER NOT NULL,
    queued_at INTEGER,
    started_at INTEGER,
    completed_at INTEGER,
    updated_at INTEGER NOT NULL,
    launch_attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL DEFAULT 0,
    last_error TEXT
  );
  CREATE INDEX jobs_by_status ON jobs (status);
  CREATE TABLE runners (
    name TEXT PRIMARY KEY,
    runner_id INTEGER,
    sandbox_id TEXT,
    runner_class TEXT NOT NULL,
    scope TEXT NOT NULL,
    installation_id INTEGER NOT NULL,
    state TEXT NOT NULL,
    launched_for_job_id INTEGER,
    took_job_id INTEGER,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    last_error TEXT
  );
  CREATE INDEX runners_by_state ON runners (state);
  CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
  `,
  // Jobs of others that took one of our runners.
  `ALTER TABLE jobs ADD COLUMN foreign_job INTEGER NOT NULL DEFAULT 0;`,
];
