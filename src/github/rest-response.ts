import { GitHubError, type GitHubOperation } from './github-error.js';

/** What an Octokit request resolves to, reduced to what this app reads. */
export interface RestResponse<T = unknown> {
  readonly status: number;
  readonly data: T;
  /** Octokit lower-cases header names; `link` carries the next page of a list. */
  readonly headers: { readonly link?: string | undefined };
}

/**
 * A GitHub REST client that calls by route, as Octokit's `request` does
 * (`request('GET /orgs/{org}/actions/runner-groups/{runner_group_id}', { org, runner_group_id })`).
 * Probot's Octokit satisfies it; tests and wrappers (pacing, deadlines) can stand in for it.
 */
export interface RestClient {
  request(route: string, parameters?: Record<string, unknown>): Promise<RestResponse>;
}

/**
 * The items of a list response: the body itself (`GET /app/installations`) or the array under
 * `key` (`{ total_count, runners: [...] }`). GitHub answering 2xx with anything else is an error.
 */
export function listItems<T>(
  response: RestResponse,
  operation: GitHubOperation,
  key?: string,
): readonly T[] {
  const data: unknown = response.data;
  const items =
    key === undefined
      ? data
      : typeof data === 'object' && data !== null
        ? (data as Record<string, unknown>)[key]
        : undefined;
  if (!Array.isArray(items)) {
    throw new GitHubError(
      `GitHub ${operation} answered ${response.status} without a list${key === undefined ? '' : ` of ${key}`}`,
      { operation, code: 'unexpected-response', retryable: false },
    );
  }
  return items as readonly T[];
}

/** The body's `total_count`, when it has one. */
export function totalCountOf(response: RestResponse): number | undefined {
  const data: unknown = response.data;
  const total =
    typeof data === 'object' && data !== null
      ? (data as { total_count?: unknown }).total_count
      : undefined;
  return typeof total === 'number' && Number.isFinite(total) ? total : undefined;
}
