import type { RanJob } from '../domain/sandbox-tags.js';
import { listItems, type RestClient } from './rest-response.js';

interface RunJob {
  readonly id?: number;
  readonly runner_name?: string | null;
}

/**
 * The numeric ID of the job a runner ran, from what its job hook reported (repository, run,
 * attempt) and the runner's name: `GET /repos/{owner}/{repo}/actions/runs/{run_id}/attempts/
 * {attempt_number}/jobs` lists the attempt's jobs with the runner each ran on (the first 100:
 * a run with more jobs than that is not searched further). Undefined when no job names it.
 */
export async function findRunJobId(
  client: RestClient,
  ran: RanJob,
  runnerName: string,
): Promise<number | undefined> {
  const [owner, repo] = ran.repo.split('/');
  const response = await client.request(
    'GET /repos/{owner}/{repo}/actions/runs/{run_id}/attempts/{attempt_number}/jobs',
    { owner, repo, run_id: ran.runId, attempt_number: ran.runAttempt, per_page: 100 },
  );
  const job = listItems<RunJob>(response, 'list-run-jobs', 'jobs').find(
    (j) => j.runner_name === runnerName,
  );
  return typeof job?.id === 'number' ? job.id : undefined;
}
