import type { Config } from '../config/config.js';
import {
  connectPostgres,
  describeUrl,
  type PostgresConnection,
} from '../ledger/postgres-connection.js';
import { readLease } from '../ledger/postgres-lease.js';
import { readSchemaVersion, type SchemaVersion } from '../ledger/postgres-migrations.js';
import { result, type CheckResult } from './check-result.js';
import type { DoctorCheck } from './doctor-context.js';

/** PostgreSQL, when DATABASE_URL names one (nothing otherwise). */
export const databaseCheck: DoctorCheck = {
  topic: 'database',
  section: 'Database',
  lane: 'database',
  run: (ctx) => checkDatabase(ctx.config),
};

/**
 * With DATABASE_URL: PostgreSQL answers, its schema is the one this build migrates to, and
 * which replica holds the leader lease. Reads only: the server migrates at start. Nothing
 * without DATABASE_URL (the SQLite ledger needs no check).
 */
export async function checkDatabase(config: Config): Promise<CheckResult[]> {
  const url = config.state.databaseUrl;
  if (url === undefined) return [];
  const where = describeUrl(url);
  let db: PostgresConnection;
  try {
    db = await connectPostgres({ url, max: 1, applicationName: 'modal-github-runner doctor' });
  } catch (error) {
    return [
      result.fail('Database', 'connection', `PostgreSQL at ${where} cannot be used`, {
        details: [error instanceof Error ? error.message : String(error)],
        fix: 'start PostgreSQL or correct DATABASE_URL (host, port, database, user and password); the server cannot record webhooks without it',
      }),
    ];
  }
  try {
    const [row] = await db.query<{ version: string }>(
      "SELECT current_setting('server_version') AS version",
    );
    const version = await readSchemaVersion(db);
    // Before the first migration there is no lease table either.
    const lease = version.current === 0 ? undefined : await readLease(db);
    return [
      result.pass(
        'Database',
        'connection',
        `PostgreSQL ${row?.version ?? '?'} at ${where}, schema ${db.schema}`,
      ),
      migrationResult(version),
      leaseResult(lease),
    ];
  } catch (error) {
    return [
      result.fail('Database', 'schema', `could not read the ledger's tables in ${where}`, {
        details: [error instanceof Error ? error.message : String(error)],
        fix: 'grant the DATABASE_URL user the right to create tables in its schema (the server migrates at start)',
      }),
    ];
  } finally {
    await db.close();
  }
}

function migrationResult(v: SchemaVersion): CheckResult {
  if (v.current === v.latest) {
    return result.pass('Database', 'migrations', `schema version ${v.current}, current`);
  }
  if (v.current < v.latest) {
    return result.warn(
      'Database',
      'migrations',
      `schema version ${v.current}, this build migrates it to ${v.latest}`,
      { fix: 'nothing to do by hand: the first replica of this build to start migrates it' },
    );
  }
  if (v.compatibleFrom <= v.latest) {
    return result.warn(
      'Database',
      'migrations',
      `schema version ${v.current} is newer than this build's ${v.latest} but still works with it`,
      { fix: 'finish the rolling upgrade: replicas of the older build should be replaced soon' },
    );
  }
  return result.fail(
    'Database',
    'migrations',
    `schema version ${v.current} needs code of version ${v.compatibleFrom} or newer; this build knows ${v.latest}`,
    { fix: 'run a newer modal-github-runner; this one refuses to start against this schema' },
  );
}

function leaseResult(lease: Awaited<ReturnType<typeof readLease>>): CheckResult {
  if (lease === undefined) {
    return result.info('Database', 'leader', 'no replica has led yet (no server has started)');
  }
  if (lease.remainingMs > 0) {
    return result.pass(
      'Database',
      'leader',
      `replica ${lease.holder} leads (lease epoch ${lease.epoch}, renewed, ${(lease.remainingMs / 1000).toFixed(1)} s left)`,
    );
  }
  return result.warn(
    'Database',
    'leader',
    `no replica leads: the last leader, ${lease.holder} (epoch ${lease.epoch}), let its lease expire ${(-lease.remainingMs / 1000).toFixed(0)} s ago`,
    {
      fix: 'start a replica (any replica takes the lease within seconds); if replicas run, check their logs for "could not read the leader lease"',
    },
  );
}
