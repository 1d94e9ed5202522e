import { readCommandArgs } from './command-input.js';
import { dataDirFrom } from '../config/data-dir.js';
import { backupSqliteLedger, LedgerBackupError } from '../ledger/backup-sqlite-ledger.js';
import { loadEnvFile } from './load-env-file.js';

export interface BackupCommandDeps {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
}

const HELP = `Usage: modal-github-runner backup FILE

Copies the ledger (DATA_DIR/ledger.sqlite: jobs and runners) to FILE with SQLite's online backup
API: safe while the server runs, no sqlite3 binary needed. FILE must not exist yet. Reads DATA_DIR
from the environment or .env (default ./data); in Docker:

  docker exec modal-github-runner modal-github-runner backup /app/data/ledger-backup.sqlite

To restore: stop the server, copy FILE to DATA_DIR/ledger.sqlite, delete ledger.sqlite-wal and
ledger.sqlite-shm beside it, and start the server (see DEPLOY.md, "Backup and restore").

With DATABASE_URL the ledger is in PostgreSQL: back it up with PostgreSQL's tools instead
(pg_dump, or continuous archiving; see DEPLOY.md, "Several replicas").
`;

/** `modal-github-runner backup FILE`: exit code 0 when the copy was made. */
export async function backupCommand(
  args: readonly string[],
  deps: BackupCommandDeps = {
    env: (loadEnvFile(), process.env),
    out: (t) => process.stdout.write(t),
    err: (t) => process.stderr.write(t),
  },
): Promise<number> {
  const input = readCommandArgs(args, HELP, deps, {
    missing: 'name one FILE to copy the ledger to',
  });
  if ('exit' in input) return input.exit;
  const destination = input.value;
  if (deps.env.DATABASE_URL) {
    deps.err(
      'backup: the ledger is in PostgreSQL (DATABASE_URL), not in DATA_DIR; back it up with pg_dump (e.g. `pg_dump -Fc <database> > ledger.dump`) or continuous archiving, see DEPLOY.md, "Several replicas"\n',
    );
    return 1;
  }
  try {
    const backup = await backupSqliteLedger(dataDirFrom(deps.env), destination);
    deps.out(
      `Copied ${backup.source} to ${backup.destination} (${backup.pages} pages, schema version ${backup.schemaVersion}).\n` +
        'To restore it, stop the server, copy it to DATA_DIR/ledger.sqlite, delete the -wal and -shm files beside it, and start the server.\n',
    );
    return 0;
  } catch (error) {
    if (error instanceof LedgerBackupError) {
      deps.err(`backup: ${error.message}\n`);
      return 1;
    }
    throw error;
  }
}
