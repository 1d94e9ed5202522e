/** Where the SQLite ledger lives unless `DATA_DIR` says otherwise. */
export const DEFAULT_DATA_DIR = './data';

/**
 * `DATA_DIR` alone, for commands that need only the ledger (`backup`) and should not ask for
 * the App's credentials. Empty counts as unset, as in `loadConfig`.
 */
export function dataDirFrom(env: Readonly<Record<string, string | undefined>>): string {
  const value = env.DATA_DIR;
  return value === undefined || value === '' ? DEFAULT_DATA_DIR : value;
}
