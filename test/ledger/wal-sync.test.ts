import { describe, expect, it } from '@jest/globals';
import Database from 'better-sqlite3';
import { createGroupCommit } from '../../src/ledger/sqlite-group-commit.js';
import { sqliteTables } from '../../src/ledger/sqlite-tables.js';
import { MIGRATIONS } from '../../src/ledger/sqlite-migrations.js';
import { createWalSync, type WalSync } from '../../src/ledger/wal-sync.js';
import { jobObservation } from '../../sim/records.js';

/** A file whose datasync calls finish when the test says. */
function controlledFile() {
  const syncs: (() => void)[] = [];
  const file = {
    datasync: () => new Promise<void>((resolve) => syncs.push(resolve)),
    close: async () => {},
  };
  return { file, syncs };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('WAL sync off the event loop', () => {
  it('calls made while a sync runs share the next one; each resolves only after a sync that started after it', async () => {
    const { file, syncs } = controlledFile();
    const wal = createWalSync('/unused', async () => file);
    const done: string[] = [];
    const a = wal.sync().then(() => done.push('a'));
    await tick();
    expect(syncs).toHaveLength(1);
    const b = wal.sync().then(() => done.push('b'));
    const c = wal.sync().then(() => done.push('c'));
    syncs[0]?.();
    await a;
    await tick();
    expect(done).toEqual(['a']);
    // b and c came during the first sync: one more covers both.
    expect(syncs).toHaveLength(2);
    syncs[1]?.();
    await Promise.all([b, c]);
    expect(done).toEqual(['a', 'b', 'c']);
    expect(syncs).toHaveLength(2);
  });

  it('the ledger answers a recorded job only once the WAL is synced', async () => {
    const db = new Database(':memory:');
    for (const migration of MIGRATIONS) db.exec(migration);
    const tables = sqliteTables(db, true);
    let release: () => void = () => {};
    const wal: WalSync = {
      sync: () => new Promise<void>((resolve) => (release = resolve)),
      close: async () => {},
    };
    const commits = createGroupCommit(db, tables, wal);
    let answered = false;
    const recorded = commits.observe(jobObservation(1)).then(() => (answered = true));
    await tick();
    await tick();
    // Committed and readable, but not yet answered: the sync has not finished.
    expect(tables.readJob(1)?.status).toBe('queued');
    expect(answered).toBe(false);
    release();
    await recorded;
    expect(answered).toBe(true);
    db.close();
  });
});
