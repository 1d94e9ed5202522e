import { randomBytes } from 'node:crypto';
import pg from 'pg';

/**
 * The PostgreSQL the tests use: the machine's local server (`.ci/run` starts it), database
 * `test`; TEST_DATABASE_URL overrides. Every test run works in schemas of its own, dropped
 * afterwards, so runs never collide.
 */
export const TEST_DATABASE_URL =
  process.env.TEST_DATABASE_URL ?? 'postgres://postgres:postgres@127.0.0.1:5432/test';

/** A schema name no other run uses. */
export function uniqueSchema(prefix = 'test'): string {
  return `mgr_${prefix}_${process.pid}_${randomBytes(4).toString('hex')}`;
}

/** DATABASE_URL that puts the tables in `schema` (which must exist, see createSchema). */
export function urlForSchema(schema: string, base = TEST_DATABASE_URL): string {
  const url = new URL(base);
  url.searchParams.set('options', `-c search_path=${schema}`);
  return url.toString();
}

async function admin<T>(
  fn: (client: pg.Client) => Promise<T>,
  base = TEST_DATABASE_URL,
): Promise<T> {
  const client = new pg.Client({ connectionString: base });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

export async function createSchema(schema: string, base = TEST_DATABASE_URL): Promise<void> {
  await admin((c) => c.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`), base);
}

export async function dropSchemas(
  schemas: Iterable<string>,
  base = TEST_DATABASE_URL,
): Promise<void> {
  const names = [...schemas];
  if (names.length === 0) return;
  await admin(async (c) => {
    for (const name of names) await c.query(`DROP SCHEMA IF EXISTS "${name}" CASCADE`);
  }, base);
}

/** Runs SQL in `schema` outside any ledger (to look at, or tamper with, what is stored). */
export async function sqlIn<R extends pg.QueryResultRow>(
  schema: string,
  text: string,
  values: unknown[] = [],
): Promise<R[]> {
  return admin(async (c) => {
    await c.query(`SET search_path TO "${schema}"`);
    return (await c.query<R>(text, values)).rows;
  });
}
