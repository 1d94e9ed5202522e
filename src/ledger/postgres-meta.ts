import type { Ledger } from './ledger.js';
import type { PostgresConnection } from './postgres-connection.js';

const PRUNE_JOBS =
  "WITH d AS (DELETE FROM jobs WHERE status = 'completed' AND updated_at < $1 RETURNING 1) SELECT count(*)::int AS n FROM d";
const PRUNE_RUNNERS =
  "WITH d AS (DELETE FROM runners WHERE state IN ('done', 'failed') AND updated_at < $1 RETURNING 1) SELECT count(*)::int AS n FROM d";

/** The reconciler's small durable values and the pruning of old rows, in PostgreSQL. */
export function postgresMeta(
  query: PostgresConnection['query'],
): Pick<Ledger, 'getMeta' | 'setMeta' | 'prune'> {
  return {
    async getMeta(key) {
      const [row] = await query<{ value: string }>('SELECT value FROM meta WHERE key = $1', [key]);
      return row?.value;
    },
    async setMeta(key, value) {
      await query(
        'INSERT INTO meta (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value',
        [key, value],
      );
    },
    async prune(before) {
      const count = async (sql: string) => (await query<{ n: number }>(sql, [before]))[0]?.n ?? 0;
      return { jobs: await count(PRUNE_JOBS), runners: await count(PRUNE_RUNNERS) };
    },
  };
}
