import { GitHubError, type TranslateContext } from './github-error.js';
import { withFix } from './github-error-fix.js';
import type { ObserverContext } from './observer-context.js';
import type { JobData } from './observer-octokit.js';
import { githubLogFields } from './rest-log-fields.js';
import type { RestResponse } from './rest-response.js';

/** A workflow job as GitHub holds it. */
export interface ObservedJob {
  /** `queued`, `in_progress`, `completed`, `waiting`, `requested` or `pending`. */
  readonly status: string;
  readonly conclusion: string | null;
  /** The runner that took the job; null until one does. */
  readonly runnerName: string | null;
  readonly labels: readonly string[];
}

/** A job as GitHub holds it; undefined on 404 (the job, or its repository, is gone). */
export async function getJob(
  ctx: ObserverContext,
  input: {
    readonly installationId: number;
    /** `owner/name` */
    readonly repo: string;
    readonly jobId: number;
  },
): Promise<ObservedJob | undefined> {
  const { installationId, repo, jobId } = input;
  const match = /^([^/\s]+)\/([^/\s]+)$/.exec(repo);
  const [owner, name] = [match?.[1], match?.[2]];
  if (owner === undefined || name === undefined) {
    throw new GitHubError(`GitHub get-job: repo must be "owner/name", got "${repo}"`, {
      operation: 'get-job',
      code: 'unknown',
      retryable: false,
    });
  }
  const scope = { kind: 'repo', owner, repo: name } as const;
  const context: TranslateContext = { installationId, scope };
  const octokit = await ctx.installationOctokit(installationId);
  let response: RestResponse<JobData>;
  try {
    response = await ctx.paced('get-job', context, () =>
      octokit.request('GET /repos/{owner}/{repo}/actions/jobs/{job_id}', {
        owner,
        repo: name,
        job_id: jobId,
      }),
    );
  } catch (error) {
    if (error instanceof GitHubError && error.code === 'not-found') {
      ctx.log.debug({ ...githubLogFields('get-job', context), jobId }, 'job not found on GitHub');
      return undefined;
    }
    throw withJobPermissionFix(error, `repo ${repo} (job ${jobId})`);
  }
  return toObservedJob(response, `repo ${repo} (job ${jobId})`);
}

function toObservedJob(response: RestResponse<JobData>, what: string): ObservedJob {
  const job: unknown = response.data;
  const status = (job as { status?: unknown } | null)?.status;
  if (typeof status !== 'string') {
    throw new GitHubError(
      `GitHub get-job for ${what} answered ${response.status} without a status`,
      {
        operation: 'get-job',
        code: 'unexpected-response',
        retryable: false,
      },
    );
  }
  const { conclusion, runner_name: runnerName, labels } = job as Partial<JobData>;
  return {
    status,
    conclusion: typeof conclusion === 'string' ? conclusion : null,
    // GitHub has answered both null and "" for a job no runner has taken yet.
    runnerName: typeof runnerName === 'string' && runnerName !== '' ? runnerName : null,
    labels: Array.isArray(labels) ? labels.filter((l) => typeof l === 'string') : [],
  };
}

/**
 * A 403 on a job is a missing `actions: read` permission, not the runner permissions the shared
 * message names; rate limits keep their own message.
 */
function withJobPermissionFix(error: unknown, what: string): unknown {
  if (!(error instanceof GitHubError) || error.code !== 'forbidden') return error;
  return withFix(
    error,
    what,
    "the App lacks `actions: read`; update the App's permissions and accept them on the installation",
  );
}
