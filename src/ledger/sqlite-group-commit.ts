import type Database from 'better-sqlite3';
import {
  mergeJobObservation,
  type JobObservation,
  type JobRecord,
  type ObserveResult,
} from './ledger.js';
import type { SqliteTables } from './sqlite-tables.js';
import type { WalSync } from './wal-sync.js';

export interface GroupCommit {
  /** Queues an observation for this event-loop turn's commit; resolves once it is durable. */
  observe(observation: JobObservation): Promise<ObserveResult>;
  /** Commits what is queued now (before closing). */
  flush(): void;
}

interface Pending {
  readonly observation: JobObservation;
  resolve(result: ObserveResult): void;
  reject(error: unknown): void;
}

/**
 * Job observations committed together, one transaction per event-loop turn; then the WAL is
 * synced to disk off the event loop (`wal`), and only then is each caller answered: a webhook is
 * answered 2xx once its job survives a power cut, and a burst shares a few fsyncs. A failed
 * commit answers every caller of the batch with the error and changes nothing in memory; a
 * failed sync answers them with its error (the job is recorded, a redelivery finds it there).
 */
export function createGroupCommit(
  db: Database.Database,
  tables: SqliteTables,
  wal: WalSync,
): GroupCommit {
  let batch: Pending[] = [];
  const commitAll = db.transaction((items: readonly Pending[]) => {
    // Two observations of one job in a batch: the second merges onto the first.
    const staged = new Map<number, JobRecord>();
    const results = items.map(({ observation }) => {
      const previous = staged.get(observation.id) ?? tables.readJob(observation.id);
      const result = mergeJobObservation(previous, observation);
      if (result.changed) {
        tables.writeJob(result.job);
        staged.set(result.job.id, result.job);
      }
      return result;
    });
    return { results, staged };
  });
  const flush = () => {
    const items = batch;
    batch = [];
    if (items.length === 0) return;
    let outcome: ReturnType<typeof commitAll>;
    try {
      outcome = commitAll(items);
    } catch (error) {
      for (const item of items) item.reject(error);
      return;
    }
    // The mirror changes only after the transaction committed.
    for (const job of outcome.staged.values()) tables.mirrorJob(job);
    wal.sync().then(
      () => items.forEach((item, i) => item.resolve(outcome.results[i] as ObserveResult)),
      (error: unknown) => items.forEach((item) => item.reject(error)),
    );
  };
  return {
    observe(observation) {
      return new Promise<ObserveResult>((resolve, reject) => {
        if (!db.open) {
          reject(new Error('the ledger is closed'));
          return;
        }
        if (batch.length === 0) setImmediate(flush);
        batch.push({ observation, resolve, reject });
      });
    },
    flush,
  };
}
