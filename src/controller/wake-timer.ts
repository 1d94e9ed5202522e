import type { Clock } from '../domain/clock.js';

export interface WakeTimer {
  /** Calls `wake` at `at` (clock ms); an earlier request replaces a later one. */
  wakeAt(at: number): void;
  stop(): void;
}

/** One pending timer for the controller's next time-based decision. */
export function createWakeTimer(clock: Clock, wake: () => void): WakeTimer {
  let pending: { at: number; timer: NodeJS.Timeout } | undefined;
  let stopped = false;
  return {
    wakeAt(at) {
      if (stopped || (pending !== undefined && pending.at <= at)) return;
      if (pending !== undefined) clearTimeout(pending.timer);
      const timer = setTimeout(
        () => {
          pending = undefined;
          wake();
        },
        Math.max(0, at - clock.now()),
      );
      timer.unref();
      pending = { at, timer };
    },
    stop() {
      stopped = true;
      if (pending !== undefined) clearTimeout(pending.timer);
    },
  };
}
