import type { RunnerScope } from '../domain/runner-scope.js';
import type { JobRecord, RunnerRecord } from './ledger.js';
import { rowMapping, type JobRowOf, type RunnerRowOf } from './record-rows.js';

/** SQLite keeps labels and scope as JSON text and the foreign flag as 0 or 1. */
interface SqliteColumns {
  readonly labels: string;
  readonly scope: string;
  readonly flag: number;
}

/** A job as the `jobs` table holds it. */
export type JobRow = JobRowOf<SqliteColumns>;
export type RunnerRow = RunnerRowOf<SqliteColumns>;

export const { toJob, fromJob, toRunner, fromRunner } = rowMapping<SqliteColumns, SqliteColumns>({
  read: {
    labels: (v) => JSON.parse(v) as string[],
    scope: (v) => JSON.parse(v) as RunnerScope,
    flag: (v) => v === 1,
  },
  write: {
    labels: (v) => JSON.stringify(v),
    scope: (v) => JSON.stringify(v),
    flag: (v) => (v ? 1 : 0),
  },
});

export const JOB_COLUMNS = Object.keys(fromJob({} as JobRecord));
export const RUNNER_COLUMNS = Object.keys(fromRunner({ scope: {} } as RunnerRecord));
