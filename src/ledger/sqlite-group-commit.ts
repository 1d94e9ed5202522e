import type Database from 'better-sqlite3';
import {
  mergeJobObservation,
  type JobObservation,
  type JobRecord,
  type ObserveResult,
} from './ledger.js';
import type { SqliteTables } from './sqlite-tables.js';

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
 * Job observations committed together, one transaction per event-loop turn, with
 * `synchronous = FULL`: a burst of webhooks shares one fsync, and every caller is answered after
 * the commit (its webhook is answered 2xx only once the job is on disk). A failed commit answers
 * every caller of the batch with the error and changes nothing in memory.
 */
export function createGroupCommit(db: Database.Database, tables: SqliteTables): GroupCommit {
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
      db.pragma('synchronous = FULL');
      try {
        outcome = commitAll(items);
      } finally {
        db.pragma('synchronous = NORMAL');
      }
    } catch (error) {
      for (const item of items) item.reject(error);
      return;
    }
    // The mirror changes only after the transaction committed.
    for (const job of outcome.staged.values()) tables.mirrorJob(job);
    items.forEach((item, i) => item.resolve(outcome.results[i] as ObserveResult));
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
