/**
 * A circuit breaker for one upstream (GitHub or Modal). After `threshold` consecutive failures
 * it opens: no launch may use the upstream until the open window ends; then one launch probes
 * it. The probe's success closes the breaker; its failure opens it again for twice as long (up
 * to `maxOpenMs`). Pure state: time is passed in.
 */
export type BreakerState = 'closed' | 'open' | 'probing';

export interface BreakerSettings {
  /** Consecutive failures that open the breaker. */
  readonly threshold: number;
  /** The first open window; doubled after every failed probe. */
  readonly baseOpenMs: number;
  readonly maxOpenMs: number;
}

export interface CircuitBreaker {
  readonly upstream: string;
  state(now: number): BreakerState;
  /** Whether a launch may call the upstream now; in the `probing` state it takes the one probe. */
  tryAcquire(now: number): boolean;
  /** Gives back a probe taken by `tryAcquire` that was not used. */
  release(): void;
  success(): void;
  failure(now: number): void;
  /** Failures since the last success: launches should not spend the other upstream blindly. */
  failing(): boolean;
  /** When the open window ends (the next probe may go); undefined unless open. */
  openUntil(): number | undefined;
}

export function createCircuitBreaker(
  upstream: string,
  settings: BreakerSettings,
  onChange?: (state: BreakerState, detail: { failures: number; openForMs?: number }) => void,
): CircuitBreaker {
  let failures = 0;
  /** Open windows in a row (the next one lasts base × 2^opened). */
  let opened = 0;
  let openUntil: number | undefined;
  let probeOut = false;

  const state = (now: number): BreakerState => {
    if (openUntil === undefined) return 'closed';
    return now < openUntil || probeOut ? 'open' : 'probing';
  };
  return {
    upstream,
    state,
    tryAcquire(now) {
      const current = state(now);
      if (current === 'closed') return true;
      if (current === 'open') return false;
      probeOut = true;
      onChange?.('probing', { failures });
      return true;
    },
    release() {
      probeOut = false;
    },
    success() {
      const wasOpen = openUntil !== undefined;
      failures = 0;
      opened = 0;
      openUntil = undefined;
      probeOut = false;
      if (wasOpen) onChange?.('closed', { failures });
    },
    failure(now) {
      failures += 1;
      const probeFailed = probeOut;
      probeOut = false;
      if (!probeFailed && (openUntil !== undefined || failures < settings.threshold)) return;
      const openForMs = Math.min(settings.maxOpenMs, settings.baseOpenMs * 2 ** opened);
      opened += 1;
      openUntil = now + openForMs;
      onChange?.('open', { failures, openForMs });
    },
    failing: () => failures > 0,
    openUntil: () => openUntil,
  };
}
