import type { Clock } from '../domain/clock.js';
import { MAX_WAIT_IN_CALL_MS } from '../domain/error-fields.js';
import { GitHubError, type GitHubOperation, type TranslateContext } from './github-error.js';
import { translateGitHubError } from './translate-github-error.js';
import type { JitRateLimiter } from './jit-rate-limiter.js';

export interface PacedCallLogger {
  warn(fields: Record<string, unknown>, message: string): void;
}

export type PacedCall = <T>(
  operation: GitHubOperation,
  context: TranslateContext,
  call: () => Promise<T>,
) => Promise<T>;

/**
 * One GitHub call through the shared limiter (GitHub's secondary limits count all of an App's
 * calls): a secondary rate limit pauses the limiter and the call is retried, a bounded number of
 * times; any other error is translated into a GitHubError and thrown.
 */
export function createPacedCall(options: {
  readonly limiter: JitRateLimiter;
  readonly clock: Clock;
  readonly log: PacedCallLogger;
  readonly maxSecondaryLimitRetries: number;
  readonly fields: (
    operation: GitHubOperation,
    context: TranslateContext,
  ) => Record<string, unknown>;
}): PacedCall {
  const { limiter, clock, log } = options;
  return async function paced<T>(
    operation: GitHubOperation,
    context: TranslateContext,
    call: () => Promise<T>,
  ): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      // A pause longer than a caller may wait inside one call is not slept through.
      const pausedForMs = limiter.pausedUntil() - clock.now();
      if (pausedForMs > MAX_WAIT_IN_CALL_MS) {
        throw new GitHubError(
          `GitHub ${operation} not sent: GitHub calls are paused for ${Math.ceil(pausedForMs / 1000)} s after a secondary rate limit`,
          {
            operation,
            code: 'secondary-rate-limit',
            retryable: true,
            retryAfterMs: pausedForMs,
            retriedBelow: attempt > 0,
          },
        );
      }
      await limiter.acquire();
      try {
        const result = await call();
        limiter.onSuccess();
        return result;
      } catch (raw) {
        const error = translateGitHubError(operation, raw, { ...context, now: clock.now() });
        if (!error.isSecondaryRateLimit) throw error;
        limiter.onSecondaryLimit(error.retryAfterMs);
        const retrying =
          attempt < options.maxSecondaryLimitRetries &&
          limiter.pausedUntil() - clock.now() <= MAX_WAIT_IN_CALL_MS;
        log.warn(
          {
            ...options.fields(operation, context),
            status: error.status,
            retryAfterMs: error.retryAfterMs,
            attempt: attempt + 1,
            ratePerSecond: limiter.currentRate(),
            retrying,
          },
          retrying
            ? 'GitHub secondary rate limit; pausing GitHub calls and retrying'
            : 'GitHub secondary rate limit; giving up on this call for now',
        );
        if (retrying) continue;
        // Retried here already: a caller retrying it again would count the retries twice.
        throw attempt > 0 ? withRetriedBelow(error) : error;
      }
    }
  };
}

function withRetriedBelow(error: GitHubError): GitHubError {
  return new GitHubError(error.message, {
    operation: error.operation,
    code: error.code,
    status: error.status,
    retryable: error.retryable,
    retryAfterMs: error.retryAfterMs,
    retriedBelow: true,
    githubMessage: error.githubMessage,
    requestId: error.requestId,
    cause: error.cause,
  });
}
