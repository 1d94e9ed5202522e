import type { RestResponse } from './rest-response.js';

/** A job as `GET /repos/{owner}/{repo}/actions/jobs/{job_id}` returns it, reduced. */
export interface JobData {
  readonly status: string;
  readonly conclusion: string | null;
  readonly runner_name: string | null;
  readonly labels: readonly string[];
}

export interface InstallationData {
  readonly id: number;
  /** A user or organization (`login`, `type`); an enterprise (`slug`, no `login`); or null. */
  readonly account: {
    readonly login?: string;
    readonly type?: string;
    readonly slug?: string;
  } | null;
  readonly suspended_at: string | null;
}

export interface DeliveryData {
  readonly id: number;
  readonly guid: string;
  readonly delivered_at: string;
  readonly redelivery: boolean;
  readonly status: string;
  readonly status_code: number;
  readonly event: string;
  readonly action: string | null;
  readonly installation_id: number | null;
}

// Type aliases, not interfaces: Octokit's parameter types need an implicit index signature.
export type PageParams = { per_page: number; page: number };
export type DeliveryParams = { per_page: number; cursor?: string };

/**
 * The part of an installation-authenticated Octokit (`octokits.installation(installationId)`, see app-octokits.ts) the
 * observer uses; Probot's Octokit satisfies it. Octokit types `request` loosely, so the shapes below
 * are what the observer expects, not checked against GitHub's schema; the job's status and the lists' shape are checked at run time.
 */
export interface InstallationOctokitLike {
  request(
    route: 'GET /repos/{owner}/{repo}/actions/jobs/{job_id}',
    parameters: { owner: string; repo: string; job_id: number },
  ): Promise<RestResponse<JobData>>;
}

/**
 * The part of the App's JWT-authenticated Octokit (`octokits.app()`, see app-octokits.ts)
 * the observer uses. These endpoints refuse installation tokens.
 */
export interface AppOctokitLike {
  request(
    route: 'GET /app/installations',
    parameters: PageParams,
  ): Promise<RestResponse<readonly InstallationData[]>>;
  request(
    route: 'GET /app/hook/deliveries',
    parameters: DeliveryParams,
  ): Promise<RestResponse<readonly DeliveryData[]>>;
  request(
    route: 'POST /app/hook/deliveries/{delivery_id}/attempts',
    parameters: { delivery_id: number },
  ): Promise<RestResponse<unknown>>;
}
