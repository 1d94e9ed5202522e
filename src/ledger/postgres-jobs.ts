import {
  mergeJobObservation,
  type JobObservation,
  type Ledger,
  type ObserveResult,
} from './ledger.js';
import type { PostgresConnection } from './postgres-connection.js';
import {
  JOB_COLUMNS,
  jobPatchSql,
  jobValues,
  placeholders,
  toJob,
  type JobRow,
} from './postgres-rows.js';

type Query = PostgresConnection['query'];

/** Tries of an observation that races another replica's write of the same job. */
const MAX_OBSERVE_TRIES = 20;

const INSERT_JOB = `INSERT INTO jobs (${JOB_COLUMNS.join(', ')}) VALUES (${placeholders(JOB_COLUMNS.length)}) ON CONFLICT (id) DO NOTHING RETURNING *`;
const ADVANCE_JOB = `UPDATE jobs SET status = $2, conclusion = $3, runner_name = $4, queued_at = $5, started_at = $6, completed_at = $7, updated_at = $8
    WHERE id = $1 AND status = $9 AND runner_name IS NOT DISTINCT FROM $10 RETURNING *`;

/**
 * The job half of the PostgreSQL ledger. A job observation is a compare-and-set on the job's
 * status and runner, retried when another replica changed them in between, so that status only
 * ever moves forward.
 */
export function postgresJobs(
  query: Query,
): Pick<Ledger, 'observeJob' | 'getJob' | 'listJobs' | 'updateJob'> {
  const getJob = async (id: number) => {
    const [row] = await query<JobRow>('SELECT * FROM jobs WHERE id = $1', [id]);
    return row ? toJob(row) : undefined;
  };
  return {
    getJob,
    observeJob: (o) => observeJob(query, getJob, o),
    async listJobs(statuses) {
      if (statuses.length === 0) return [];
      const rows = await query<JobRow>('SELECT * FROM jobs WHERE status = ANY($1)', [statuses]);
      return rows.map(toJob);
    },
    async updateJob(id, patch) {
      const { set, values } = jobPatchSql(patch, 2);
      if (set === '') return getJob(id);
      const [row] = await query<JobRow>(`UPDATE jobs SET ${set} WHERE id = $1 RETURNING *`, [
        id,
        ...values,
      ]);
      return row ? toJob(row) : undefined;
    },
  };
}

async function observeJob(
  query: Query,
  getJob: Ledger['getJob'],
  o: JobObservation,
): Promise<ObserveResult> {
  // A queued or waiting job is usually new: try the insert first (one round trip).
  let previous = o.status === 'queued' || o.status === 'waiting' ? undefined : await getJob(o.id);
  for (let attempt = 0; attempt < MAX_OBSERVE_TRIES; attempt++) {
    const result = mergeJobObservation(previous, o);
    if (!result.changed) return result;
    const j = result.job;
    const [row] =
      previous === undefined
        ? await query<JobRow>(INSERT_JOB, jobValues(j))
        : await query<JobRow>(ADVANCE_JOB, [
            j.id,
            j.status,
            j.conclusion,
            j.runnerName,
            j.queuedAt,
            j.startedAt,
            j.completedAt,
            j.updatedAt,
            previous.status,
            previous.runnerName,
          ]);
    if (row) return { job: toJob(row), changed: true };
    previous = await getJob(o.id);
  }
  throw new Error(
    `job ${o.id} kept changing under ${MAX_OBSERVE_TRIES} tries to record an observation`,
  );
}
