import { ProbotOctokit } from 'probot';

/**
 * Probot's Octokit without its throttling and retry plugins: this app paces and retries its
 * GitHub calls itself (see jit-rate-limiter.ts and the controller's retries). Probot's default
 * would hold every write, generate-jitconfig included, to one per second per App.
 *
 * A function is used, not an options object, because Probot passes its own `throttle` options
 * to the constructor, which would replace an object default whole.
 */
export const AppOctokit = ProbotOctokit.defaults(
  (options: ConstructorParameters<typeof ProbotOctokit>[0] = {}) => ({
    ...options,
    throttle: { ...options.throttle, enabled: false },
    retry: { ...options.retry, enabled: false },
  }),
);
