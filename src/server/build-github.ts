import type { Logger } from 'pino';
import type { Config } from '../config/config.js';
import type { Clock } from '../domain/clock.js';
import { createAppOctokits, type AppOctokitInstance } from '../github/app-octokits.js';
import { createGitHubObserver, type GitHubObserver } from '../github/github-observer.js';
import {
  createGitHubRunnerRegistry,
  type GitHubRunnerRegistry,
} from '../github/github-runner-registry.js';
import { createJitRateLimiter } from '../github/jit-rate-limiter.js';
import { createOctokitCache } from '../github/octokit-cache.js';
import { createRateLimitQuota, type RateLimitQuota } from '../github/rate-limit-quota.js';
import type { Metrics } from '../ports/metrics.js';

/** Every GitHub client of the server, outside Probot's webhook events. */
export interface GitHubServices {
  readonly registry: GitHubRunnerRegistry;
  readonly observer: GitHubObserver;
  /** The App's JWT-authenticated Octokit (one, kept). */
  readonly appOctokit: () => Promise<AppOctokitInstance>;
  /** One Octokit per installation, kept. */
  readonly installationOctokit: (installationId: number) => Promise<AppOctokitInstance>;
  /** What GitHub's rate limits leave, as the responses said. */
  readonly quota: RateLimitQuota;
}

/**
 * The App authenticates through @octokit/auth-app with its own JWT signer and installation-token
 * cache (src/github/app-octokits.ts); every call is paced by one limiter (GitHub's secondary
 * limits count all of an App's calls), has a deadline, and reports the remaining rate limit.
 */
export function buildGitHub(
  config: Config,
  deps: { readonly clock: Clock; readonly log: Logger; readonly metrics: Metrics },
): GitHubServices {
  const { clock, log, metrics } = deps;
  const quota = createRateLimitQuota();
  const observed = async (key: string, make: () => AppOctokitInstance) => {
    const octokit = make();
    // Every call has a deadline: a GitHub that stops answering frees the launch slot. (A
    // `before` hook that sets the option: Probot's Octokit plugins drop options changed by an
    // outer `wrap`.)
    octokit.hook.before('request', (options) => {
      options.request = {
        ...options.request,
        signal: options.request?.signal ?? AbortSignal.timeout(config.timings.githubCallTimeoutMs),
      };
    });
    octokit.hook.after('request', (response) => {
      quota.observe(key, response.headers);
      const remaining = Number(response.headers['x-ratelimit-remaining']);
      if (Number.isFinite(remaining)) metrics.githubRateLimitRemaining(remaining);
    });
    return octokit;
  };
  const octokits = createAppOctokits({
    appId: config.github.appId,
    privateKey: config.github.privateKey,
    baseUrl: config.github.baseUrl,
    clock,
    log: log.child({ name: 'octokit' }),
  });
  const installationOctokit = createOctokitCache((installationId: number) =>
    observed(`installation:${installationId}`, () => octokits.installation(installationId)),
  );
  const appOctokitCache = createOctokitCache(() => observed('app', () => octokits.app()));
  const appOctokit = () => appOctokitCache(undefined);
  const limiter = createJitRateLimiter({ ratePerSecond: config.limits.jitRatePerSecond, clock });
  const githubLog = log.child({ name: 'github' });
  return {
    registry: createGitHubRunnerRegistry({
      getOctokit: installationOctokit,
      limiter,
      clock,
      log: githubLog,
    }),
    observer: createGitHubObserver({
      getAppOctokit: appOctokit,
      getInstallationOctokit: installationOctokit,
      limiter,
      clock,
      log: githubLog,
    }),
    appOctokit,
    installationOctokit,
    quota,
  };
}
