import { LeadershipLostError } from '../domain/leadership-lost.js';
import type { JobPatch, Ledger, RunnerPatch, RunnerRecord } from './ledger.js';
import type { PostgresConnection } from './postgres-connection.js';
import {
  RUNNER_COLUMNS,
  jobPatchSql,
  duplicateRunner,
  placeholders,
  runnerPatchSql,
  runnerValues,
  toJob,
  toRunner,
  type JobRow,
  type RunnerRow,
} from './postgres-rows.js';

/** The leader term a fenced ledger writes for. */
export interface Fence {
  /** The lease's epoch when the term began. */
  readonly epoch: number;
  /** False once this replica no longer trusts its lease (checked before every fenced write). */
  readonly holds: () => boolean;
  /** Told when the database refused a write because the lease moved on. */
  readonly onRefused: (error: LeadershipLostError) => void;
}

/** The lease row, locked against a takeover until the statement's transaction ends. */
const LEASE = (param: string) =>
  `(SELECT epoch FROM leader_lease WHERE id = 1 AND epoch = ${param} FOR SHARE) AS lease`;

/**
 * Runner inserts and updates and job updates that the database refuses once `fence.epoch` is
 * not the lease's: each statement joins the lease row on the epoch and takes a share lock on
 * it, so a takeover (which raises the epoch) waits for writes already under way and every later
 * write of the old term matches no row. Everything else is the plain ledger's.
 */
export function fencedPostgresLedger(
  base: Ledger,
  query: PostgresConnection['query'],
  fence: Fence,
): Ledger {
  const { epoch } = fence;

  const ensureHeld = (what: string) => {
    if (!fence.holds()) {
      throw new LeadershipLostError(
        `not leader any more (the lease of epoch ${epoch} ran out by this replica's clock); ${what} was not written`,
      );
    }
  };

  /** After a write that touched no row: refused (stale epoch) or nothing to update. */
  async function refusedOrMissing(what: string): Promise<undefined> {
    const [row] = await query<{ epoch: number }>('SELECT epoch FROM leader_lease WHERE id = 1');
    if (row?.epoch === epoch) return undefined;
    const error = new LeadershipLostError(
      `the database refused ${what}: the lease has moved on to epoch ${row?.epoch ?? 'none'} from this leader's ${epoch}`,
    );
    fence.onRefused(error);
    throw error;
  }

  return {
    ...base,
    // The plain ledger owns the connection; a term's view of it closes nothing.
    async close() {},
    async insertRunner(runner: RunnerRecord) {
      const what = `recording runner ${runner.name}`;
      ensureHeld(what);
      const values = runnerValues(runner);
      let rows: unknown[];
      try {
        rows = await query(
          `INSERT INTO runners (${RUNNER_COLUMNS.join(', ')}, fence_epoch)
           SELECT ${placeholders(values.length)}, lease.epoch FROM ${LEASE(`$${values.length + 1}`)}
           RETURNING name`,
          [...values, epoch],
        );
      } catch (error) {
        throw duplicateRunner(runner.name, error);
      }
      if (rows.length === 0) await refusedOrMissing(what);
    },
    async updateRunner(name: string, patch: RunnerPatch) {
      const what = `an update of runner ${name}`;
      ensureHeld(what);
      const { set, values } = runnerPatchSql(patch, 3);
      const [row] = await query<RunnerRow>(
        `UPDATE runners SET ${set}, fence_epoch = lease.epoch FROM ${LEASE('$2')}
         WHERE runners.name = $1 RETURNING runners.*`,
        [name, epoch, ...values],
      );
      return row ? toRunner(row) : refusedOrMissing(what);
    },
    async updateJob(id: number, patch: JobPatch) {
      const what = `an update of job ${id}`;
      ensureHeld(what);
      const { set, values } = jobPatchSql(patch, 3);
      if (set === '') return base.getJob(id);
      const [row] = await query<JobRow>(
        `UPDATE jobs SET ${set} FROM ${LEASE('$2')} WHERE jobs.id = $1 RETURNING jobs.*`,
        [id, epoch, ...values],
      );
      return row ? toJob(row) : refusedOrMissing(what);
    },
  };
}
