/** How the bucket adapts; fixed for a limiter's life. */
export interface BucketSettings {
  /** Calls per second when GitHub is happy. */
  readonly configured: number;
  /** The rate never drops below this. */
  readonly floor: number;
  /** What one recovery step adds to the rate. */
  readonly step: number;
  readonly recoveryIntervalMs: number;
  /** Pause after a secondary limit that gave no `retry-after`. */
  readonly defaultPauseMs: number;
}

/** The bucket's state, changed only by the functions below. Times are clock ms. */
export interface AdaptiveTokenBucket {
  rate: number;
  tokens: number;
  lastRefill: number;
  /** Until when calls are held back. */
  paused: number;
  lastRateChange: number;
}

/**
 * A token bucket refilled at the effective rate, holding at most max(1, effective rate) tokens,
 * whose rate halves after a secondary rate limit and recovers step by step. Pure: the caller
 * passes the time, and waits (see jit-rate-limiter.ts).
 */
export function createTokenBucket(settings: BucketSettings, now: number): AdaptiveTokenBucket {
  return {
    rate: settings.configured,
    tokens: Math.max(1, settings.configured),
    lastRefill: now,
    paused: 0,
    lastRateChange: Number.NEGATIVE_INFINITY,
  };
}

/** Adds the tokens earned since the last refill, at the current rate, outside pauses. */
function refill(bucket: AdaptiveTokenBucket, now: number): void {
  const from = Math.max(bucket.lastRefill, bucket.paused);
  if (now > from) {
    bucket.tokens = Math.min(
      Math.max(1, bucket.rate),
      bucket.tokens + ((now - from) * bucket.rate) / 1000,
    );
    bucket.lastRefill = now;
  }
}

/** Takes a token and returns 0, or returns how long to wait before asking again. */
export function takeToken(bucket: AdaptiveTokenBucket, now: number): number {
  if (now < bucket.paused) return bucket.paused - now;
  refill(bucket, now);
  if (bucket.tokens >= 1 - 1e-9) {
    bucket.tokens = Math.max(0, bucket.tokens - 1);
    return 0;
  }
  return Math.max(1, Math.ceil(((1 - bucket.tokens) * 1000) / bucket.rate));
}

/** A call succeeded: one recovery step towards the configured rate, at most once an interval. */
export function recoverRate(
  bucket: AdaptiveTokenBucket,
  settings: BucketSettings,
  now: number,
): void {
  if (bucket.rate >= settings.configured) return;
  if (now - bucket.lastRateChange < settings.recoveryIntervalMs) return;
  refill(bucket, now);
  bucket.rate = Math.min(settings.configured, bucket.rate + settings.step);
  bucket.lastRateChange = now;
}

/**
 * A secondary rate limit: hold every call until `retryAfterMs` (the default pause without one),
 * keep one token for a probe when the pause ends, and halve the rate unless already paused (limits
 * reported then come from calls that were in flight together).
 */
export function pauseAfterLimit(
  bucket: AdaptiveTokenBucket,
  settings: BucketSettings,
  now: number,
  retryAfterMs: number | undefined,
): void {
  const wait =
    retryAfterMs !== undefined && retryAfterMs >= 0 ? retryAfterMs : settings.defaultPauseMs;
  const alreadyPaused = now < bucket.paused;
  refill(bucket, now);
  bucket.paused = Math.max(bucket.paused, now + wait);
  bucket.tokens = 1;
  bucket.lastRefill = bucket.paused;
  if (!alreadyPaused) {
    bucket.rate = Math.max(settings.floor, bucket.rate / 2);
    bucket.lastRateChange = bucket.paused;
  }
}
