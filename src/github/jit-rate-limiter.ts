import type { Clock } from '../domain/clock.js';
import { DEFAULT_SECONDARY_LIMIT_WAIT_MS } from './github-error.js';

export interface JitRateLimiterOptions {
  /** Calls per second when GitHub is happy (JIT_RATE_PER_SECOND). May be fractional. */
  readonly ratePerSecond: number;
  readonly clock: Clock;
  /** The rate never drops below this after secondary limits (default 0.2/s, or the configured rate if lower). */
  readonly minRatePerSecond?: number;
  /** Each recovery step adds this fraction of the configured rate (default 0.1). */
  readonly recoveryStep?: number;
  /** At most one recovery step per this many ms of successful calls (default 5 s). */
  readonly recoveryIntervalMs?: number;
  /** Pause after a secondary limit that gave no `retry-after` (default 60 s, as GitHub advises). */
  readonly defaultPauseMs?: number;
}

export interface JitRateLimiter {
  /** Resolves when the caller may make one call; callers are served first come, first served. */
  acquire(): Promise<void>;
  /** A paced call succeeded: lets the rate recover towards the configured one. */
  onSuccess(): void;
  /** GitHub answered with a secondary rate limit: pause everyone, then go slower. */
  onSecondaryLimit(retryAfterMs?: number): void;
  /** The effective rate now, in calls per second. */
  currentRate(): number;
  /** Until when (clock ms) calls are held back; in the past when not paused. */
  pausedUntil(): number;
  /** Callers waiting in `acquire()`. */
  waiting(): number;
}

/**
 * Paces GitHub writes (JIT configs above all) for the whole App.
 *
 * Algorithm: a token bucket refilled at the effective rate, holding at most
 * max(1, effective rate) tokens (so a burst is at most one second's worth), served by a single
 * pump so waiters are released strictly in FIFO order. On a secondary rate limit every caller is
 * held until `retry-after` (60 s when GitHub gives none), the bucket is emptied except for one
 * token (one probe call right when the pause ends), no tokens accrue during the pause, and the
 * effective rate is halved (never below the floor). Limits reported while already paused come
 * from calls that were in flight together, so they extend the pause but do not halve the rate
 * again. Recovery is additive: a successful call raises the effective rate by `recoveryStep`
 * (10 %) of the configured rate, at most once per `recoveryIntervalMs` (5 s), until it is back at
 * the configured rate; from half rate that takes about 25 s of steady success, about the length
 * of GitHub's one-minute secondary-limit windows, so one limit does not immediately lead to the
 * next. Only the injected clock is read, so tests drive it with a fake one.
 */
export function createJitRateLimiter(options: JitRateLimiterOptions): JitRateLimiter {
  const { clock } = options;
  const configured = options.ratePerSecond;
  if (!(configured > 0) || !Number.isFinite(configured)) {
    throw new RangeError(`ratePerSecond must be a positive number, got ${configured}`);
  }
  const floor = Math.min(configured, options.minRatePerSecond ?? 0.2);
  const step = configured * (options.recoveryStep ?? 0.1);
  const recoveryIntervalMs = options.recoveryIntervalMs ?? 5_000;
  const defaultPauseMs = options.defaultPauseMs ?? DEFAULT_SECONDARY_LIMIT_WAIT_MS;

  let rate = configured;
  let tokens = Math.max(1, configured);
  let lastRefill = clock.now();
  let paused = 0;
  let lastRateChange = Number.NEGATIVE_INFINITY;
  const queue: (() => void)[] = [];
  let pumping = false;

  const capacity = () => Math.max(1, rate);

  /** Adds the tokens earned since the last refill, at the current rate, outside pauses. */
  function refill(now: number): void {
    const from = Math.max(lastRefill, paused);
    if (now > from) {
      tokens = Math.min(capacity(), tokens + ((now - from) * rate) / 1000);
      lastRefill = now;
    }
  }

  /** Takes a token and returns 0, or returns how long to wait before asking again. */
  function tryTake(now: number): number {
    if (now < paused) return paused - now;
    refill(now);
    if (tokens >= 1 - 1e-9) {
      tokens = Math.max(0, tokens - 1);
      return 0;
    }
    return Math.max(1, Math.ceil(((1 - tokens) * 1000) / rate));
  }

  async function pump(): Promise<void> {
    pumping = true;
    try {
      while (queue.length > 0) {
        const wait = tryTake(clock.now());
        if (wait === 0) {
          queue.shift()?.();
        } else {
          // Re-checked after the sleep: a pause or a rate change may have happened meanwhile.
          await clock.sleep(wait);
        }
      }
    } finally {
      pumping = false;
    }
  }

  return {
    acquire() {
      return new Promise<void>((resolve) => {
        queue.push(resolve);
        if (!pumping) void pump();
      });
    },

    onSuccess() {
      if (rate >= configured) return;
      const now = clock.now();
      if (now - lastRateChange < recoveryIntervalMs) return;
      refill(now);
      rate = Math.min(configured, rate + step);
      lastRateChange = now;
    },

    onSecondaryLimit(retryAfterMs) {
      const now = clock.now();
      const wait = retryAfterMs !== undefined && retryAfterMs >= 0 ? retryAfterMs : defaultPauseMs;
      const alreadyPaused = now < paused;
      refill(now);
      paused = Math.max(paused, now + wait);
      tokens = 1;
      lastRefill = paused;
      if (!alreadyPaused) {
        rate = Math.max(floor, rate / 2);
        lastRateChange = paused;
      }
    },

    currentRate: () => rate,
    pausedUntil: () => paused,
    waiting: () => queue.length,
  };
}
