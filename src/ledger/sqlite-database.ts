import { join } from 'node:path';
import Database from 'better-sqlite3';
import { createPrivate, lockDataDir, type DataDirLock } from './data-dir-lock.js';
import { MIGRATIONS } from './sqlite-migrations.js';

/**
 * Opens `ledger.sqlite` in `dataDir` (`:memory:` for none), migrated to this build's schema.
 * The owner takes the directory's lock first and keeps the file private; a reader beside it
 * does neither.
 */
export function openSqliteDatabase(
  dataDir: string,
  owner: boolean,
): { readonly db: Database.Database; readonly lock: DataDirLock | undefined } {
  let db: Database.Database;
  let lock: DataDirLock | undefined;
  if (dataDir === ':memory:') {
    db = new Database(':memory:');
  } else {
    if (owner) lock = lockDataDir(dataDir);
    const file = join(dataDir, 'ledger.sqlite');
    try {
      // SQLite gives its WAL and shared-memory files the database file's permissions.
      if (owner) createPrivate(file);
      db = new Database(file);
      db.pragma('journal_mode = WAL');
    } catch (error) {
      lock?.release();
      throw error;
    }
  }
  db.pragma('synchronous = NORMAL');
  db.pragma('busy_timeout = 5000');
  migrate(db);
  return { db, lock };
}

function migrate(db: Database.Database): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > MIGRATIONS.length) {
    throw new Error(
      `the ledger's schema version ${current} is newer than this build knows (${MIGRATIONS.length}); run a newer modal-github-runner or point DATA_DIR at another directory`,
    );
  }
  for (let version = current; version < MIGRATIONS.length; version++) {
    db.transaction(() => {
      db.exec(MIGRATIONS[version] as string);
      db.pragma(`user_version = ${version + 1}`);
    })();
  }
}
