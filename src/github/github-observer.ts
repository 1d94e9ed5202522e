import type { Clock } from '../domain/clock.js';
import { GitHubError, type GitHubOperation, type TranslateContext } from './github-error.js';
import { translateGitHubError } from './translate-github-error.js';
import type { JitRateLimiter } from './jit-rate-limiter.js';
import { createPacedCall } from './paced-call.js';
import { withFix } from './github-error-fix.js';
import { githubLogFields } from './rest-log-fields.js';
import { readPages, type PagesRead, type ReadPagesOptions } from './rest-pages.js';
import { listItems, type RestResponse } from './rest-response.js';

type OctokitResponse<T> = RestResponse<T>;

interface JobData {
  readonly status: string;
  readonly conclusion: string | null;
  readonly runner_name: string | null;
  readonly labels: readonly string[];
}

interface InstallationData {
  readonly id: number;
  /** A user or organization (`login`, `type`); an enterprise (`slug`, no `login`); or null. */
  readonly account: {
    readonly login?: string;
    readonly type?: string;
    readonly slug?: string;
  } | null;
  readonly suspended_at: string | null;
}

interface DeliveryData {
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
type PageParams = { per_page: number; page: number };
type DeliveryParams = { per_page: number; cursor?: string };

/**
 * The part of an installation-authenticated Octokit (`octokits.installation(installationId)`, see app-octokits.ts) this
 * module uses; Probot's Octokit satisfies it. Octokit types `request` loosely, so the shapes below
 * are what this module expects, not checked against GitHub's schema; the job's status and the lists' shape are checked at run time.
 */
export interface InstallationOctokitLike {
  request(
    route: 'GET /repos/{owner}/{repo}/actions/jobs/{job_id}',
    parameters: { owner: string; repo: string; job_id: number },
  ): Promise<OctokitResponse<JobData>>;
}

/**
 * The part of the App's JWT-authenticated Octokit (`octokits.app()`, see app-octokits.ts)
 * this module uses. These endpoints refuse installation tokens.
 */
export interface AppOctokitLike {
  request(
    route: 'GET /app/installations',
    parameters: PageParams,
  ): Promise<OctokitResponse<readonly InstallationData[]>>;
  request(
    route: 'GET /app/hook/deliveries',
    parameters: DeliveryParams,
  ): Promise<OctokitResponse<readonly DeliveryData[]>>;
  request(
    route: 'POST /app/hook/deliveries/{delivery_id}/attempts',
    parameters: { delivery_id: number },
  ): Promise<OctokitResponse<unknown>>;
}

/** A pino-compatible logger, reduced to what this module calls. */
export interface ObserverLogger {
  debug(fields: Record<string, unknown>, message: string): void;
  warn(fields: Record<string, unknown>, message: string): void;
}

/** A workflow job as GitHub holds it. */
export interface ObservedJob {
  /** `queued`, `in_progress`, `completed`, `waiting`, `requested` or `pending`. */
  readonly status: string;
  readonly conclusion: string | null;
  /** The runner that took the job; null until one does. */
  readonly runnerName: string | null;
  readonly labels: readonly string[];
}

export interface Installation {
  readonly id: number;
  /** The account's login. */
  readonly account: string;
  readonly kind: 'org' | 'user';
  readonly suspended: boolean;
}

/** One attempt to deliver a webhook to this App. Redeliveries keep the GUID of the original. */
export interface Delivery {
  readonly id: number;
  readonly guid: string;
  /** Epoch ms. */
  readonly deliveredAt: number;
  readonly redelivery: boolean;
  /** GitHub's description, e.g. `OK` or `Invalid HTTP Response: 503`. */
  readonly status: string;
  /** Our server's HTTP status; 0 when it never answered (timeout, connection refused). */
  readonly statusCode: number;
  readonly event: string;
  readonly action: string | null;
  readonly installationId: number | null;
}

export interface GitHubObserver {
  /** A job as GitHub holds it; undefined on 404 (the job, or its repository, is gone). */
  getJob(input: {
    readonly installationId: number;
    /** `owner/name` */
    readonly repo: string;
    readonly jobId: number;
  }): Promise<ObservedJob | undefined>;
  /** Every installation of the App that belongs to a user or an organization (all pages). */
  listInstallations(): Promise<Installation[]>;
  /**
   * The App's webhook deliveries made at or after `since` (epoch ms), newest first, reading at
   * most `maxPages` (default 10) pages of 100.
   */
  listDeliveries(input: {
    readonly since: number;
    readonly maxPages?: number;
  }): Promise<Delivery[]>;
  /**
   * One page (100) of the App's webhook deliveries, newest first: the first page without a
   * cursor, the next with the `nextCursor` of the one before (undefined on the last page).
   */
  listDeliveryPage(input: { readonly cursor?: string }): Promise<DeliveryPage>;
  /** Asks GitHub to deliver this delivery's event again (it answers 202 and delivers later). */
  redeliver(deliveryId: number): Promise<void>;
}

export interface DeliveryPage {
  readonly deliveries: readonly Delivery[];
  readonly nextCursor: string | undefined;
}

export interface GitHubObserverOptions {
  /** The App's JWT-authenticated Octokit: `() => octokits.app()`. */
  readonly getAppOctokit: () => Promise<AppOctokitLike>;
  /** An installation-authenticated Octokit: `(id) => octokits.installation(id)`. */
  readonly getInstallationOctokit: (installationId: number) => Promise<InstallationOctokitLike>;
  /** The limiter the runner registry uses: GitHub's secondary limits count all of an App's calls. */
  readonly limiter: JitRateLimiter;
  readonly clock: Clock;
  readonly log: ObserverLogger;
  /** Retries of one call after secondary rate limits before giving up (default 5). */
  readonly maxSecondaryLimitRetries?: number;
}

const PER_PAGE = 100;
/** 10 000 installations: it only stops a server that paginates forever. */
const MAX_INSTALLATION_PAGES = 100;
const DEFAULT_DELIVERY_PAGES = 10;

/**
 * GitHub reads for the reconciler (jobs, installations, webhook deliveries) and redeliveries of
 * lost webhooks. Every call is paced by the shared limiter and retried after secondary rate
 * limits; other errors are thrown as GitHubErrors whose `retryable` says whether to try again.
 */
export function createGitHubObserver(options: GitHubObserverOptions): GitHubObserver {
  const { clock, log } = options;
  const paced = createPacedCall({
    limiter: options.limiter,
    clock,
    log,
    maxSecondaryLimitRetries: options.maxSecondaryLimitRetries ?? 5,
    fields: githubLogFields,
  });

  async function appOctokit(operation: GitHubOperation): Promise<AppOctokitLike> {
    try {
      return await options.getAppOctokit();
    } catch (error) {
      throw translateGitHubError(operation, error, { now: clock.now() });
    }
  }

  async function installationOctokit(installationId: number): Promise<InstallationOctokitLike> {
    try {
      return await options.getInstallationOctokit(installationId);
    } catch (error) {
      throw translateGitHubError('installation-token', error, { now: clock.now(), installationId });
    }
  }

  /** The App's webhook deliveries, newest first, page by page (GitHub's cursor form). */
  async function readDeliveries(
    options: Pick<ReadPagesOptions<DeliveryData>, 'maxPages' | 'from' | 'onPage'>,
  ): Promise<PagesRead<DeliveryData>> {
    const octokit = await appOctokit('list-deliveries');
    return await readPages<DeliveryData>({
      form: 'cursor',
      perPage: PER_PAGE,
      ...options,
      fetch: ({ cursor }) => {
        const params: DeliveryParams =
          cursor === undefined ? { per_page: PER_PAGE } : { per_page: PER_PAGE, cursor };
        return paced('list-deliveries', {}, () =>
          octokit.request('GET /app/hook/deliveries', params),
        );
      },
      items: (response) => listItems<DeliveryData>(response, 'list-deliveries'),
    });
  }

  return {
    async getJob({ installationId, repo, jobId }) {
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
      const octokit = await installationOctokit(installationId);
      let response: OctokitResponse<JobData>;
      try {
        response = await paced('get-job', context, () =>
          octokit.request('GET /repos/{owner}/{repo}/actions/jobs/{job_id}', {
            owner,
            repo: name,
            job_id: jobId,
          }),
        );
      } catch (error) {
        if (error instanceof GitHubError && error.code === 'not-found') {
          log.debug({ ...githubLogFields('get-job', context), jobId }, 'job not found on GitHub');
          return undefined;
        }
        throw withJobPermissionFix(error, `repo ${repo} (job ${jobId})`);
      }
      const job: unknown = response.data;
      const status = (job as { status?: unknown } | null)?.status;
      if (typeof status !== 'string') {
        throw new GitHubError(
          `GitHub get-job for repo ${repo} (job ${jobId}) answered ${response.status} without a status`,
          { operation: 'get-job', code: 'unexpected-response', retryable: false },
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
    },

    async listInstallations() {
      const octokit = await appOctokit('list-installations');
      const read = await readPages<InstallationData>({
        form: 'page',
        perPage: PER_PAGE,
        maxPages: MAX_INSTALLATION_PAGES,
        fetch: ({ page }) =>
          paced('list-installations', {}, () =>
            octokit.request('GET /app/installations', { per_page: PER_PAGE, page }),
          ),
        items: (response) => listItems<InstallationData>(response, 'list-installations'),
      });
      if (read.next !== undefined) {
        log.warn(
          { operation: 'list-installations', pages: read.pages, installations: read.items.length },
          'too many installation pages; the rest are not observed',
        );
      }
      const result: Installation[] = [];
      for (const installation of read.items) {
        const login = installation.account?.login;
        if (typeof login !== 'string') {
          // An enterprise installation: no organization or user account, so no runners here.
          log.debug(
            { operation: 'list-installations', installationId: installation.id },
            'installation without a user or organization account skipped',
          );
          continue;
        }
        result.push({
          id: installation.id,
          account: login,
          kind: installation.account?.type === 'Organization' ? 'org' : 'user',
          suspended: installation.suspended_at != null,
        });
      }
      return result;
    },

    async listDeliveries({ since, maxPages = DEFAULT_DELIVERY_PAGES }) {
      const result: Delivery[] = [];
      const read = await readDeliveries({
        maxPages: Math.max(1, maxPages),
        onPage: (page) => {
          let reachedSince = false;
          for (const delivery of page) {
            const deliveredAt = Date.parse(delivery.delivered_at);
            if (Number.isNaN(deliveredAt)) continue;
            if (deliveredAt < since) {
              // Newest first: everything after this is older still, on this page and the next.
              reachedSince = true;
              continue;
            }
            result.push(toDelivery(delivery, deliveredAt));
          }
          return reachedSince ? 'stop' : undefined;
        },
      });
      if (read.next !== undefined) {
        log.warn(
          { operation: 'list-deliveries', pages: read.pages, deliveries: result.length },
          'more webhook deliveries since the last check than pages read; older failures are not seen',
        );
      }
      return result;
    },

    async listDeliveryPage({ cursor }) {
      const read = await readDeliveries({
        maxPages: 1,
        ...(cursor === undefined ? {} : { from: { page: 1, cursor } }),
      });
      const deliveries: Delivery[] = [];
      for (const delivery of read.items) {
        const deliveredAt = Date.parse(delivery.delivered_at);
        if (!Number.isNaN(deliveredAt)) deliveries.push(toDelivery(delivery, deliveredAt));
      }
      return { deliveries, nextCursor: read.next?.cursor };
    },

    async redeliver(deliveryId) {
      const octokit = await appOctokit('redeliver');
      const response = await paced('redeliver', {}, () =>
        octokit.request('POST /app/hook/deliveries/{delivery_id}/attempts', {
          delivery_id: deliveryId,
        }),
      );
      log.debug(
        { operation: 'redeliver', deliveryId, status: response.status },
        'webhook redelivery requested',
      );
    },
  };
}

function toDelivery(delivery: DeliveryData, deliveredAt: number): Delivery {
  return {
    id: delivery.id,
    guid: delivery.guid,
    deliveredAt,
    redelivery: delivery.redelivery,
    status: delivery.status,
    statusCode: delivery.status_code,
    event: delivery.event,
    action: delivery.action ?? null,
    installationId: delivery.installation_id ?? null,
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
