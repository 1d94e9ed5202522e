import pg from 'pg';
import type { ClientConfig, Pool, QueryResultRow } from 'pg';
import { LedgerUnavailableError } from './ledger-error.js';

/** BIGINT columns (ids, epoch milliseconds) as numbers: every value we store is below 2^53. */
const INT8_OID = 20;
const types = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === INT8_OID && format !== 'binary'
      ? (value: string) => Number(value)
      : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
};

/** A connect or a query slower than this fails, well before GitHub gives up on a webhook. */
const CONNECT_TIMEOUT_MS = 3_000;
const QUERY_TIMEOUT_MS = 5_000;

export interface PostgresConnection {
  readonly pool: Pool;
  /** What a dedicated client (LISTEN) connects with. */
  readonly clientConfig: ClientConfig;
  /** The schema the tables live in (the first of the search path). */
  readonly schema: string;
  /** `host:port/database`, for messages (never the password). */
  readonly where: string;
  query<R extends QueryResultRow>(text: string, values?: readonly unknown[]): Promise<R[]>;
  close(): Promise<void>;
}

export interface ConnectOptions {
  readonly url: string;
  /** Use this schema (created if missing) instead of the URL's search path (tests). */
  readonly schema?: string;
  /** Pool size. */
  readonly max?: number;
  readonly applicationName?: string;
  /** Told about errors of idle connections (a restarted database), which pg reports apart. */
  readonly onIdleError?: (error: LedgerUnavailableError) => void;
}

/**
 * Opens a pool on DATABASE_URL. Errors that mean the database cannot be used (refused, lost,
 * timed out, bad credentials) come out as LedgerUnavailableError naming the database.
 */
export async function connectPostgres(options: ConnectOptions): Promise<PostgresConnection> {
  const where = describeUrl(options.url);
  const clientConfig: ClientConfig = {
    connectionString: options.url,
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    query_timeout: QUERY_TIMEOUT_MS,
    application_name: options.applicationName ?? 'modal-github-runner',
    keepAlive: true,
    types,
    ...(options.schema !== undefined ? { options: `-c search_path=${options.schema}` } : {}),
  };
  const pool = new pg.Pool({ ...clientConfig, max: options.max ?? 10, idleTimeoutMillis: 30_000 });
  pool.on('error', (error) => options.onIdleError?.(unavailable(where, error)));
  const query = async <R extends QueryResultRow>(
    text: string,
    values?: readonly unknown[],
  ): Promise<R[]> => {
    try {
      return (await pool.query<R>(text, values as unknown[] | undefined)).rows;
    } catch (error) {
      throw translatePostgresError(where, error);
    }
  };
  try {
    if (options.schema !== undefined) {
      await query(`CREATE SCHEMA IF NOT EXISTS ${quoteIdentifier(options.schema)}`);
    }
    const [row] = await query<{ schema: string | null }>('SELECT current_schema() AS schema');
    if (!row?.schema) {
      throw new LedgerUnavailableError(
        `the database ${where} has no schema on the search path to create the tables in; create one or set "?options=-c search_path=<schema>" in DATABASE_URL`,
      );
    }
    return { pool, clientConfig, schema: row.schema, where, query, close: () => pool.end() };
  } catch (error) {
    await pool.end();
    throw error;
  }
}

/** `host:port/database` of a PostgreSQL URL. */
export function describeUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.hostname || 'localhost'}:${u.port || '5432'}${u.pathname || '/'}`;
  } catch {
    return 'DATABASE_URL';
  }
}

export function quoteIdentifier(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** SQLSTATE classes that say the database, not the statement, is the problem. */
const UNAVAILABLE_SQLSTATES = [
  '08', // connection exception
  '53', // insufficient resources (too many connections, disk full)
  '57', // operator intervention (shutdown, crash recovery)
  '28', // invalid authorization
  '3D', // the database does not exist
];

function unavailable(where: string, error: unknown): LedgerUnavailableError {
  const message = error instanceof Error ? error.message : String(error);
  return new LedgerUnavailableError(
    `the database ${where} cannot be used (${message}): webhooks answer 500 until it is back (GitHub lists them as failed and they are redelivered) and nothing launches meanwhile; check that PostgreSQL runs and DATABASE_URL`,
    { cause: error },
  );
}

/** A pg error as LedgerUnavailableError when it is about reaching the database; else as is. */
export function translatePostgresError(where: string, error: unknown): unknown {
  const code = (error as { code?: unknown } | null)?.code;
  const message = error instanceof Error ? error.message : '';
  const connectionLevel =
    (typeof code === 'string' &&
      (UNAVAILABLE_SQLSTATES.some((c) => code.startsWith(c)) || /^E[A-Z]+$/.test(code))) ||
    /timeout|terminated|Connection|ECONNRESET|not queryable/i.test(message);
  return connectionLevel ? unavailable(where, error) : error;
}
