import { hostname } from 'node:os';
import type { Logger } from 'pino';
import type { Config } from '../config/config.js';
import { maskDatabaseUrl } from '../config/mask-config.js';
import type { Clock } from '../domain/clock.js';
import { errorFields } from '../domain/error-fields.js';
import type { Ledger } from '../ledger/ledger.js';
import { createMemoryLedger } from '../ledger/memory-ledger.js';
import { createPostgresLeaseStore } from '../ledger/postgres-lease.js';
import { openPostgresLedger } from '../ledger/postgres-ledger.js';
import { createPostgresWorkSignal } from '../ledger/postgres-work-signal.js';
import { openSqliteLedger } from '../ledger/sqlite-ledger.js';
import type { Leadership, WorkSignal } from '../ports/leadership.js';
import { alwaysLeader, localWorkSignal } from './always-leader.js';
import { createLeaseLeadership } from './lease-leadership.js';

/** Where the state lives and who leads: one server on SQLite, or replicas on PostgreSQL. */
export interface Storage {
  readonly kind: 'postgres' | 'sqlite' | 'memory' | 'given';
  /** The ledger webhooks, the status page and the metrics read and write. */
  readonly ledger: Ledger;
  readonly leadership: Leadership;
  readonly signal: WorkSignal;
  /** The ledger a leader term of `epoch` writes through: fenced by the lease on PostgreSQL. */
  termLedger(epoch: number): Ledger;
  /** Closes the signal and the ledger (after the leadership has stopped). */
  close(): Promise<void>;
}

/** REPLICA_ID, or this machine's name and process id. */
export function replicaIdOf(config: Config): string {
  return config.state.replicaId ?? `${hostname()}-${process.pid}`;
}

/**
 * Opens the ledger the configuration names. DATABASE_URL: PostgreSQL (migrated under an
 * advisory lock), a lease to elect the leader and LISTEN/NOTIFY between replicas. Else SQLite
 * in DATA_DIR (or memory), and this one server always leads.
 */
export async function openStorage(inputs: {
  readonly config: Config;
  readonly log: Logger;
  readonly clock: Clock;
  /** A ledger made elsewhere (tests): one server, always leader. */
  readonly ledger?: Ledger;
}): Promise<Storage> {
  const { config, log, clock } = inputs;
  const replicaId = replicaIdOf(config);
  const url = config.state.databaseUrl;
  if (inputs.ledger !== undefined || url === undefined) {
    const kind = inputs.ledger
      ? 'given'
      : config.state.dataDir === ':memory:'
        ? 'memory'
        : 'sqlite';
    const ledger =
      inputs.ledger ??
      (kind === 'memory' ? createMemoryLedger() : openSqliteLedger(config.state.dataDir));
    const signal = localWorkSignal();
    return {
      kind,
      ledger,
      leadership: alwaysLeader(replicaId),
      signal,
      termLedger: () => ledger,
      async close() {
        await signal.close();
        await ledger.close();
      },
    };
  }
  const dbLog = log.child({ name: 'database' });
  const { ledger, schema } = await openPostgresLedger({
    url,
    applicationName: `modal-github-runner ${replicaId}`,
    onIdleError: (error) => dbLog.error({ err: errorFields(error) }, 'database connection lost'),
  });
  dbLog.info(
    {
      database: maskDatabaseUrl(url),
      schema: ledger.db.schema,
      schemaVersion: schema.current,
      replicaId,
    },
    'ledger on PostgreSQL',
  );
  const signal = createPostgresWorkSignal(ledger.db, dbLog);
  const leadership = createLeaseLeadership({
    store: createPostgresLeaseStore(ledger.db),
    signal,
    replicaId,
    clock,
    log: log.child({ name: 'leadership' }),
    timings: config.timings,
  });
  return {
    kind: 'postgres',
    ledger,
    leadership,
    signal,
    termLedger: (epoch) =>
      ledger.fenced({
        epoch,
        holds: () => leadership.currentEpoch() === epoch,
        onRefused: (error) => leadership.resign(error.message),
      }),
    async close() {
      await signal.close();
      await ledger.close();
    },
  };
}
