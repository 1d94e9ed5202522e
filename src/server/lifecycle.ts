import type { Logger } from 'pino';
import { errorFields } from '../domain/error-fields.js';

/** A named background loop of the server, in the order it starts. */
export interface BackgroundLoop {
  readonly name: string;
  /** How often `tick` runs (the first at once, unless `skipFirstTick`); a loop without one is driven by events. */
  readonly intervalMs?: number;
  readonly tick?: () => Promise<unknown>;
  /** The first tick waits one interval (one has just run elsewhere). */
  readonly skipFirstTick?: boolean;
  /** Called once at start, before the first tick. */
  readonly start?: () => void;
  /** Called once at stop, after the last tick has ended. */
  readonly stop?: () => Promise<void>;
}

export interface RunningLoops {
  /** Stops the loops in the reverse of their start order, each after its tick in flight. */
  stop(): Promise<void>;
}

/**
 * Starts the loops in order. A tick never overlaps the one before: a tick still running when
 * the interval comes round is skipped. Timers do not keep the process alive.
 */
export function startLoops(loops: readonly BackgroundLoop[], log: Logger): RunningLoops {
  const running = loops.map((loop) => {
    let current: Promise<unknown> | undefined;
    let stopped = false;
    const tick = () => {
      if (stopped || current !== undefined || loop.tick === undefined) return;
      current = loop
        .tick()
        .catch((error: unknown) =>
          log.error({ loop: loop.name, err: errorFields(error) }, 'background loop tick failed'),
        )
        .finally(() => {
          current = undefined;
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
      loop,
      async stop() {
        stopped = true;
        if (timer) clearInterval(timer);
        await current;
        await loop.stop?.();
      },
    };
  });
  log.info(
    { loops: loops.map((l) => ({ name: l.name, intervalMs: l.intervalMs ?? 'on demand' })) },
    'background loops started',
  );
  return {
    async stop() {
      for (const r of [...running].reverse()) await r.stop();
    },
  };
}
