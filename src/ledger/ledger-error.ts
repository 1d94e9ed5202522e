/**
 * The shared database could not be reached or answered with an error that is not about the
 * data (connection refused or lost, timeout, too many connections, wrong credentials). The
 * message names the database (never its password) and says what it means for the app.
 */
export class LedgerUnavailableError extends Error {
  readonly code = 'ledger-unavailable';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'LedgerUnavailableError';
  }
}

/** The database's schema is newer than this build can work with, or is missing. */
export class LedgerSchemaError extends Error {
  readonly code = 'ledger-schema';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'LedgerSchemaError';
  }
}
