import type { Logger } from 'pino';
import type { Clock } from '../domain/clock.js';
import { errorFields } from '../domain/error-fields.js';

/** A named background loop of the server, in the order it starts. */
export interface BackgroundLoop {
  readonly name: string;
  /** How often `tick` runs (the first at once, unless `skipFirstTick`); a loop without one is driven by events. */
  readonly intervalMs?: number;
  readonly tick?: () => Promise<unknown>;
  /** The first tick waits one interval (one has just run elsewhere). */
  readonly skipFirstTick?: boolean;
  /**
   * How long one tick may run before the loop counts as stuck (not alive); by default five
   * intervals, and at least five minutes. A tick that fails still counts as a tick.
   */
  readonly stuckAfterMs?: number;
  /** Called once at start, before the first tick. */
  readonly start?: () => void;
  /** Called once at stop, after the last tick has ended. */
  readonly stop?: () => Promise<void>;
}

/** Whether a loop still runs, from our own bookkeeping (what `/readyz` reports). */
export interface LoopHealth {
  readonly name: string;
  readonly alive: boolean;
  /** Why it is not alive, in words. */
  readonly problem?: string;
  readonly intervalMs?: number;
  readonly lastTickStartedAt?: number;
  readonly lastTickEndedAt?: number;
}

export interface RunningLoops {
  /** Each loop's liveness now: ticks keep coming at their interval and none is stuck. */
  health(): LoopHealth[];
  /** Stops the loops in the reverse of their start order, each after its tick in flight. */
  stop(): Promise<void>;
}

/**
 * Starts the loops in order. A tick never overlaps the one before: a tick still running when
 * the interval comes round is skipped. Timers do not keep the process alive.
 */
export function startLoops(
  loops: readonly BackgroundLoop[],
  log: Logger,
  clock: Clock,
): RunningLoops {
  const running = loops.map((loop) => runLoop(loop, log, clock));
  log.info(
    { loops: loops.map((l) => ({ name: l.name, intervalMs: l.intervalMs ?? 'on demand' })) },
    'background loops started',
  );
  return {
    health: () => running.map((r) => r.health()),
    async stop() {
      for (const r of [...running].reverse()) await r.stop();
    },
  };
}

function runLoop(loop: BackgroundLoop, log: Logger, clock: Clock) {
  let current: Promise<unknown> | undefined;
  let stopped = false;
  let startedAt: number | undefined;
  let endedAt: number | undefined;
  const tick = () => {
    if (stopped || current !== undefined || loop.tick === undefined) return;
    startedAt = clock.now();
    current = loop
      .tick()
      .catch((error: unknown) =>
        log.error({ loop: loop.name, err: errorFields(error) }, 'background loop tick failed'),
      )
      .finally(() => {
        current = undefined;
        endedAt = clock.now();
      });
  };
  loop.start?.();
  let timer: NodeJS.Timeout | undefined;
  if (loop.tick !== undefined && loop.intervalMs !== undefined) {
    if (loop.skipFirstTick !== true) tick();
    timer = setInterval(tick, loop.intervalMs);
    timer.unref();
  }
  return {
    health: (): LoopHealth => {
      const base = {
        name: loop.name,
        ...(loop.intervalMs !== undefined ? { intervalMs: loop.intervalMs } : {}),
        ...(startedAt !== undefined ? { lastTickStartedAt: startedAt } : {}),
        ...(endedAt !== undefined ? { lastTickEndedAt: endedAt } : {}),
      };
      const problem = stopped
        ? 'stopped'
        : loopProblem(loop, clock.now(), current, startedAt, endedAt);
      return problem === undefined ? { ...base, alive: true } : { ...base, alive: false, problem };
    },
    async stop() {
      stopped = true;
      if (timer) clearInterval(timer);
      await current;
      await loop.stop?.();
    },
  };
}

/** Why an interval loop is not alive, or undefined when it is (event-driven loops always are). */
function loopProblem(
  loop: BackgroundLoop,
  now: number,
  inFlight: Promise<unknown> | undefined,
  startedAt: number | undefined,
  endedAt: number | undefined,
): string | undefined {
  const interval = loop.intervalMs;
  if (interval === undefined || loop.tick === undefined || startedAt === undefined) return;
  const seconds = (ms: number) => `${Math.round(ms / 1000)} s`;
  if (inFlight !== undefined) {
    const stuckAfter = loop.stuckAfterMs ?? Math.max(5 * interval, 300_000);
    if (now - startedAt > stuckAfter) {
      return `its tick has run for ${seconds(now - startedAt)} (stuck after ${seconds(stuckAfter)})`;
    }
    return;
  }
  // Idle between ticks, the next one starts within one interval of the last one's end; allow
  // one more for a busy event loop.
  const idleSince = endedAt ?? startedAt;
  if (now - idleSince > 2 * interval + 1000) {
    return `no tick for ${seconds(now - idleSince)} (one every ${seconds(interval)} expected)`;
  }
  return;
}
