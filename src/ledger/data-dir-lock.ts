import { chmodSync, closeSync, mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';

/** A second server on a data directory another one holds. */
export class DataDirLockedError extends Error {
  override readonly name = 'DataDirLockedError';
  constructor(
    readonly dataDir: string,
    readonly holder: string,
    options?: ErrorOptions,
  ) {
    super(
      `DATA_DIR ${dataDir} is in use by another modal-github-runner (${holder}): one server per ` +
        'data directory. Stop the other one, or give this one its own DATA_DIR (several ' +
        'replicas share a PostgreSQL DATABASE_URL instead).',
      options,
    );
  }
}

export interface DataDirLock {
  release(): void;
}

/**
 * Creates the data directory (0700) and holds an exclusive lock on it for the life of the
 * process. The lock is SQLite's own (a POSIX advisory lock the kernel drops when the process
 * dies, even by SIGKILL), so a crash never leaves a stale lock behind; the holder's pid and host
 * are written beside it so that a refused second server can name them.
 */
export function lockDataDir(dataDir: string): DataDirLock {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  restrict(dataDir, 0o700);
  const lockPath = join(dataDir, 'lock.sqlite');
  const ownerPath = join(dataDir, 'owner.json');
  createPrivate(lockPath);
  const db = new Database(lockPath, { timeout: 0 });
  try {
    db.pragma('locking_mode = EXCLUSIVE');
    // A write takes the exclusive lock, and EXCLUSIVE locking mode keeps it until close.
    db.exec(
      'CREATE TABLE IF NOT EXISTS held (at INTEGER); DELETE FROM held; INSERT INTO held VALUES (0)',
    );
  } catch (error) {
    db.close();
    if ((error as { code?: string }).code === 'SQLITE_BUSY') {
      throw new DataDirLockedError(dataDir, describeOwner(ownerPath), { cause: error });
    }
    throw error;
  }
  writeFileSync(
    ownerPath,
    JSON.stringify({ pid: process.pid, host: hostname(), since: new Date().toISOString() }),
    { mode: 0o600 },
  );
  return {
    release() {
      if (db.open) db.close();
    },
  };
}

/** A file created (if missing) readable and writable by its owner only. */
export function createPrivate(path: string): void {
  closeSync(openSync(path, 'a', 0o600));
  restrict(path, 0o600);
}

function restrict(path: string, mode: number): void {
  try {
    chmodSync(path, mode);
  } catch {
    // A volume we do not own (for example mounted read-write by root): its owner decides.
  }
}

function describeOwner(ownerPath: string): string {
  try {
    const owner = JSON.parse(readFileSync(ownerPath, 'utf8')) as {
      pid?: unknown;
      host?: unknown;
      since?: unknown;
    };
    return `pid ${String(owner.pid)} on ${String(owner.host)} since ${String(owner.since)}`;
  } catch {
    return 'owner unknown';
  }
}
