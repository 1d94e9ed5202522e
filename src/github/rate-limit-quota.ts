/**
 * What GitHub's primary rate limits leave: the last `x-ratelimit-remaining`, `-limit` and
 * `-reset` seen for each credential (the App's JWT, each installation's token). Background work
 * (reconciliation) spends only what stays above a reserve, so that launches always have calls
 * left.
 */
export interface RateLimitQuota {
  /** Records a response's rate-limit headers for a credential. */
  observe(key: string, headers: Readonly<Record<string, unknown>>): void;
  /**
   * Calls background work may still make before any credential drops to the reserve (10% of its
   * limit) in its current window; undefined while nothing has been seen.
   */
  callsLeft(now: number): number | undefined;
}

/** The share of each rate limit kept for launches. */
export const RESERVE = 0.1;

export function createRateLimitQuota(): RateLimitQuota {
  const seen = new Map<string, { remaining: number; limit: number; resetAt: number }>();
  return {
    observe(key, headers) {
      const remaining = Number(headers['x-ratelimit-remaining']);
      const limit = Number(headers['x-ratelimit-limit']);
      const reset = Number(headers['x-ratelimit-reset']);
      if (!Number.isFinite(remaining) || !Number.isFinite(limit) || limit <= 0) return;
      seen.set(key, {
        remaining,
        limit,
        resetAt: Number.isFinite(reset) ? reset * 1000 : Number.POSITIVE_INFINITY,
      });
    },
    callsLeft(now) {
      let left: number | undefined;
      for (const [key, entry] of seen) {
        if (entry.resetAt <= now) {
          seen.delete(key);
          continue;
        }
        const above = Math.max(0, Math.floor(entry.remaining - RESERVE * entry.limit));
        left = left === undefined ? above : Math.min(left, above);
      }
      return left;
    },
  };
}
