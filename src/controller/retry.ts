import type { Clock } from '../domain/clock.js';
import { MAX_WAIT_IN_CALL_MS, retryHintOf } from '../domain/error-fields.js';

export interface RetryPolicy {
  /** Total tries, the first included. */
  readonly attempts: number;
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
}

/** Exponential backoff with full jitter, never shorter than what the remote side asked for. */
export function backoffDelay(
  policy: Pick<RetryPolicy, 'baseDelayMs' | 'maxDelayMs'>,
  failures: number,
  random: () => number,
  retryAfterMs?: number,
): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, failures - 1));
  const jittered = Math.round(ceiling / 2 + (random() * ceiling) / 2);
  return Math.max(jittered, retryAfterMs ?? 0);
}

/**
 * Runs `fn` until it succeeds, fails with an error that is not retryable, or runs out of
 * attempts; the last error is rethrown unchanged.
 */
export async function withRetry<T>(
  fn: () => Promise<T>,
  options: {
    readonly policy: RetryPolicy;
    readonly clock: Clock;
    readonly random: () => number;
    readonly onRetry?: (error: unknown, attempt: number, delayMs: number) => void;
  },
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (error) {
      const hint = retryHintOf(error);
      if (!hint.retryable || hint.retriedBelow || attempt >= options.policy.attempts) throw error;
      if ((hint.retryAfterMs ?? 0) > MAX_WAIT_IN_CALL_MS) throw error;
      const delay = backoffDelay(options.policy, attempt, options.random, hint.retryAfterMs);
      options.onRetry?.(error, attempt, delay);
      await options.clock.sleep(delay);
    }
  }
}
