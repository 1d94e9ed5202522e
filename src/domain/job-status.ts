/** GitHub's job states we track, in the only order they may move. */
export type JobStatus = 'waiting' | 'queued' | 'in_progress' | 'completed';

export const JOB_STATUS_ORDER: Readonly<Record<JobStatus, number>> = {
  waiting: 0,
  queued: 1,
  in_progress: 2,
  completed: 3,
};

/**
 * What GitHub's `workflow_job.status` (in a webhook or from the jobs API) means for us. Jobs
 * held by an approval gate or a concurrency group (`waiting`, `pending`, `requested`) are
 * `waiting`: no runner can take them yet. Undefined for a status GitHub may add later: callers
 * leave the job as it was rather than guess.
 */
export function jobStatusFromGitHub(status: string): JobStatus | undefined {
  if (status === 'waiting' || status === 'pending' || status === 'requested') return 'waiting';
  if (status === 'queued' || status === 'in_progress' || status === 'completed') return status;
  return undefined;
}
