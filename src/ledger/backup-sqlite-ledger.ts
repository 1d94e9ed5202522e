import { chmodSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';

export interface LedgerBackup {
  readonly source: string;
  readonly destination: string;
  /** Database pages copied. */
  readonly pages: number;
  /** The schema version of the copy (`PRAGMA user_version`), for the restore note. */
  readonly schemaVersion: number;
}

/** Why a backup could not be made, with what to do about it. */
export class LedgerBackupError extends Error {
  override readonly name = 'LedgerBackupError';
}

/**
 * Copies the SQLite ledger of `dataDir` to `destination` with SQLite's online backup API
 * (better-sqlite3's `backup`): consistent while the server keeps writing, and no `sqlite3`
 * binary needed. The copy is a self-contained database file (no -wal), readable only by its
 * owner. An existing `destination` is never overwritten.
 */
export async function backupSqliteLedger(
  dataDir: string,
  destination: string,
): Promise<LedgerBackup> {
  if (dataDir === ':memory:') {
    throw new LedgerBackupError(
      'DATA_DIR is ":memory:": the ledger lives in the server process and there is nothing to back up',
    );
  }
  const source = join(dataDir, 'ledger.sqlite');
  if (!existsSync(source)) {
    throw new LedgerBackupError(
      `no ledger at ${source}: set DATA_DIR to the server's data directory (run this where the server runs, e.g. docker exec)`,
    );
  }
  if (existsSync(destination)) {
    throw new LedgerBackupError(`${destination} exists: choose a new file name or remove it first`);
  }
  let db: Database.Database;
  try {
    db = new Database(source, { readonly: true, fileMustExist: true });
  } catch (error) {
    throw new LedgerBackupError(`cannot open ${source}: ${(error as Error).message}`, {
      cause: error,
    });
  }
  try {
    let pages = 0;
    await db.backup(destination, {
      progress: ({ totalPages }) => {
        pages = totalPages;
        return 1000;
      },
    });
    chmodSync(destination, 0o600);
    // The copy keeps the source's WAL mode; a rollback journal makes it one self-contained
    // file (the server turns WAL on again when it opens a restored copy).
    const copy = new Database(destination, { fileMustExist: true });
    try {
      copy.pragma('journal_mode = DELETE');
      const schemaVersion = copy.pragma('user_version', { simple: true }) as number;
      return { source, destination, pages, schemaVersion };
    } finally {
      copy.close();
    }
  } catch (error) {
    throw new LedgerBackupError(
      `backup of ${source} to ${destination} failed: ${(error as Error).message}`,
      {
        cause: error,
      },
    );
  } finally {
    db.close();
  }
}
