import type { Clock } from '../domain/clock.js';
import {
  createTokenBucket,
  pauseAfterLimit,
  recoverRate,
  takeToken,
  type AdaptiveTokenBucket,
  type BucketSettings,
} from './adaptive-token-bucket.js';
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
  const settings: BucketSettings = {
    configured,
    floor: Math.min(configured, options.minRatePerSecond ?? 0.2),
    step: configured * (options.recoveryStep ?? 0.1),
    recoveryIntervalMs: options.recoveryIntervalMs ?? 5_000,
    defaultPauseMs: options.defaultPauseMs ?? DEFAULT_SECONDARY_LIMIT_WAIT_MS,
  };
  const state: PumpState = {
    bucket: createTokenBucket(settings, clock.now()),
    queue: [],
    pumping: false,
  };
  return {
    acquire() {
      return new Promise<void>((resolve) => {
        state.queue.push(resolve);
        if (!state.pumping) void pump(state, clock);
      });
    },
    onSuccess: () => recoverRate(state.bucket, settings, clock.now()),
    onSecondaryLimit: (retryAfterMs) =>
      pauseAfterLimit(state.bucket, settings, clock.now(), retryAfterMs),
    currentRate: () => state.bucket.rate,
    pausedUntil: () => state.bucket.paused,
    waiting: () => state.queue.length,
  };
}

interface PumpState {
  readonly bucket: AdaptiveTokenBucket;
  /** Waiters in `acquire()`, first come first served. */
  readonly queue: (() => void)[];
  pumping: boolean;
}

/** Releases the waiters one token at a time, in FIFO order; one pump runs at a time. */
async function pump(state: PumpState, clock: Clock): Promise<void> {
  state.pumping = true;
  try {
    while (state.queue.length > 0) {
      const wait = takeToken(state.bucket, clock.now());
      if (wait === 0) {
        state.queue.shift()?.();
      } else {
        // Re-checked after the sleep: a pause or a rate change may have happened meanwhile.
        await clock.sleep(wait);
      }
    }
  } finally {
    state.pumping = false;
  }
}
