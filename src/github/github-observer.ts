import type { Clock } from '../domain/clock.js';
import { getJob, type ObservedJob } from './get-job.js';
import type { JitRateLimiter } from './jit-rate-limiter.js';
import { listDeliveryPage, type DeliveryPage } from './list-delivery-page.js';
import { listInstallations, type Installation } from './list-installations.js';
import type { ObserverContext, ObserverLogger } from './observer-context.js';
import type { AppOctokitLike, InstallationOctokitLike } from './observer-octokit.js';
import { createPacedCall } from './paced-call.js';
import { requestRedelivery } from './request-redelivery.js';
import { resolveInstallationOctokit } from './resolve-installation-octokit.js';
import { githubLogFields } from './rest-log-fields.js';
import { translateGitHubError } from './translate-github-error.js';

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
   * One page (100) of the App's webhook deliveries, newest first: the first page without a
   * cursor, the next with the `nextCursor` of the one before (undefined on the last page).
   */
  listDeliveryPage(input: { readonly cursor?: string }): Promise<DeliveryPage>;
  /** Asks GitHub to deliver this delivery's event again (it answers 202 and delivers later). */
  redeliver(deliveryId: number): Promise<void>;
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

/**
 * GitHub reads for the reconciler (jobs, installations, webhook deliveries) and redeliveries of
 * lost webhooks. Every call is paced by the shared limiter and retried after secondary rate
 * limits; other errors are thrown as GitHubErrors whose `retryable` says whether to try again.
 */
export function createGitHubObserver(options: GitHubObserverOptions): GitHubObserver {
  const { clock, log } = options;
  const ctx: ObserverContext = {
    appOctokit: async (operation) => {
      try {
        return await options.getAppOctokit();
      } catch (error) {
        throw translateGitHubError(operation, error, { now: clock.now() });
      }
    },
    installationOctokit: (installationId) =>
      resolveInstallationOctokit(options.getInstallationOctokit, installationId, clock),
    paced: createPacedCall({
      limiter: options.limiter,
      clock,
      log,
      maxSecondaryLimitRetries: options.maxSecondaryLimitRetries ?? 5,
      fields: githubLogFields,
    }),
    log,
  };
  return {
    getJob: (input) => getJob(ctx, input),
    listInstallations: () => listInstallations(ctx),
    listDeliveryPage: (input) => listDeliveryPage(ctx, input),
    redeliver: (deliveryId) => requestRedelivery(ctx, deliveryId),
  };
}
