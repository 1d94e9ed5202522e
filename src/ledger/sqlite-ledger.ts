import { join } from 'node:path';
import type { Ledger } from './ledger.js';
import { openSqliteDatabase } from './sqlite-database.js';
import { createGroupCommit } from './sqlite-group-commit.js';
import { sqliteTables } from './sqlite-tables.js';
import { createWalSync, noWalSync } from './wal-sync.js';

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
 * committed in one transaction per event-loop turn (group commit) and the WAL is then synced to
 * disk on the thread pool before anyone is answered, so a burst shares a few fsyncs and the event
 * loop never waits on the disk; runner writes are not synced one by one (`synchronous = NORMAL`),
 * since reconciliation rebuilds a lost runner write from what Modal and GitHub show.
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
  const { db, lock } = openSqliteDatabase(dataDir, mirror);
  const tables = sqliteTables(db, mirror);
  const wal =
    dataDir === ':memory:' ? noWalSync : createWalSync(join(dataDir, 'ledger.sqlite-wal'));
  const commits = createGroupCommit(db, tables, wal);
  const patchJob = db.transaction((id: number, patch: Parameters<Ledger['updateJob']>[1]) => {
    const job = tables.readJob(id);
    if (!job) return undefined;
    const next = { ...job, ...patch };
    tables.writeJob(next);
    return next;
  });
  const patchRunner = db.transaction(
    (name: string, { at, ...patch }: Parameters<Ledger['updateRunner']>[1]) => {
      const runner = tables.readRunner(name);
      if (!runner) return undefined;
      const next = { ...runner, ...patch, updatedAt: at };
      tables.writeRunner(next);
      return next;
    },
  );
  return {
    observeJob: (observation) => commits.observe(observation),
    getJob: async (id) => tables.readJob(id),
    listJobs: async (statuses) => tables.listJobs(statuses),
    async updateJob(id, patch) {
      const job = patchJob(id, patch);
      if (job) tables.mirrorJob(job);
      return job;
    },
    async insertRunner(runner) {
      try {
        tables.insertRunner(runner);
        tables.mirrorRunner(runner);
      } catch (error) {
        if ((error as { code?: string }).code === 'SQLITE_CONSTRAINT_PRIMARYKEY') {
          throw new Error(`runner ${runner.name} is already recorded`, { cause: error });
        }
        throw error;
      }
    },
    getRunner: async (name) => tables.readRunner(name),
    async updateRunner(name, patch) {
      const runner = patchRunner(name, patch);
      if (runner) tables.mirrorRunner(runner);
      return runner;
    },
    listRunners: async (states) => tables.listRunners(states),
    getMeta: async (key) => tables.getMeta(key),
    setMeta: async (key, value) => tables.setMeta(key, value),
    prune: async (before) => tables.prune(before),
    async close() {
      commits.flush();
      await wal.close();
      if (db.open) db.close();
      lock?.release();
    },
  };
}
