import type { Clock } from '../src/domain/clock.js';

interface Timer {
  readonly at: number;
  readonly resolve: () => void;
}

/**
 * A clock that only moves when told. In `manual` mode `sleep` resolves when `advance` passes its
 * deadline; in `auto` mode `sleep` moves time forward at once. Either way every sleep is recorded.
 */
export class FakeClock implements Clock {
  readonly sleeps: number[] = [];
  private time: number;
  private timers: Timer[] = [];

  constructor(
    private readonly mode: 'manual' | 'auto' = 'manual',
    start = 1_700_000_000_000,
  ) {
    this.time = start;
  }

  now(): number {
    return this.time;
  }

  sleep(ms: number): Promise<void> {
    this.sleeps.push(ms);
    if (this.mode === 'auto') {
      this.time += Math.max(0, ms);
      return Promise.resolve();
    }
    return new Promise((resolve) => this.timers.push({ at: this.time + Math.max(0, ms), resolve }));
  }

  /** Moves time forward by `ms`, firing due timers in order and letting their callers run. */
  async advance(ms: number): Promise<void> {
    const target = this.time + ms;
    await flush();
    for (;;) {
      const next = this.timers.filter((t) => t.at <= target).sort((a, b) => a.at - b.at)[0];
      if (next === undefined) break;
      this.timers = this.timers.filter((t) => t !== next);
      this.time = Math.max(this.time, next.at);
      next.resolve();
      await flush();
    }
    this.time = target;
    await flush();
  }

  pendingTimers(): number {
    return this.timers.length;
  }
}

/** Lets every pending promise continuation run. */
export function flush(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
