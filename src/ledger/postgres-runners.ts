import type { Ledger } from './ledger.js';
import type { PostgresConnection } from './postgres-connection.js';
import {
  RUNNER_COLUMNS,
  duplicateRunner,
  placeholders,
  runnerPatchSql,
  runnerValues,
  toRunner,
  type RunnerRow,
} from './postgres-rows.js';

/** The runner half of the PostgreSQL ledger, unfenced. */
export function postgresRunners(
  query: PostgresConnection['query'],
): Pick<Ledger, 'insertRunner' | 'getRunner' | 'updateRunner' | 'listRunners'> {
  return {
    async insertRunner(runner) {
      try {
        await query(
          `INSERT INTO runners (${RUNNER_COLUMNS.join(', ')}) VALUES (${placeholders(RUNNER_COLUMNS.length)})`,
          runnerValues(runner),
        );
      } catch (error) {
        throw duplicateRunner(runner.name, error);
      }
    },
    async getRunner(name) {
      const [row] = await query<RunnerRow>('SELECT * FROM runners WHERE name = $1', [name]);
      return row ? toRunner(row) : undefined;
    },
    async updateRunner(name, patch) {
      const { set, values } = runnerPatchSql(patch, 2);
      const [row] = await query<RunnerRow>(
        `UPDATE runners SET ${set} WHERE name = $1 RETURNING *`,
        [name, ...values],
      );
      return row ? toRunner(row) : undefined;
    },
    async listRunners(states) {
      if (states.length === 0) return [];
      const rows = await query<RunnerRow>('SELECT * FROM runners WHERE state = ANY($1)', [states]);
      return rows.map(toRunner);
    },
  };
}
