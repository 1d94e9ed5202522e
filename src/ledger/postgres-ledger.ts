import type { Ledger } from './ledger.js';
import {
  connectPostgres,
  type ConnectOptions,
  type PostgresConnection,
} from './postgres-connection.js';
import { fencedPostgresLedger, type Fence } from './postgres-fenced-ledger.js';
import { postgresJobs } from './postgres-jobs.js';
import { postgresMeta } from './postgres-meta.js';
import { migratePostgres, type SchemaVersion } from './postgres-migrations.js';
import { postgresRunners } from './postgres-runners.js';

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
 * may write. Jobs (observed by compare-and-set), runners and meta values live in their own files.
 */
export function createPostgresLedger(db: PostgresConnection): PostgresLedger {
  const ledger: PostgresLedger = {
    db,
    ...postgresJobs(db.query),
    ...postgresRunners(db.query),
    ...postgresMeta(db.query),
    close: () => db.close(),
    fenced: (fence) => fencedPostgresLedger(ledger, db.query, fence),
  };
  return ledger;
}
