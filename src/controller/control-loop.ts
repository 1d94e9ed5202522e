import type { Logger } from 'pino';
import { errorFields } from '../domain/error-fields.js';
import { isLeadershipLost } from '../domain/leadership-lost.js';

/** After a plan, the loop rests this many times the plan's duration… */
const PLAN_REST_FACTOR = 2;
/** …but never longer than this. */
const MAX_PLAN_REST_MS = 50;

export interface ControlLoop {
  /** Asks for a plan soon. Cheap and safe to call from the webhook path. */
  wake(): void;
  /** A plan is running or resting. */
  running(): boolean;
  /** Resolves once no plan is running. */
  idle(): Promise<void>;
  stop(): Promise<void>;
}

export interface ControlLoopDeps {
  /** One plan, its actions handed to the executor; says whether the caps held jobs back. */
  readonly planOnce: () => Promise<{ readonly capped: boolean }>;
  /** A launch slot is free right now. */
  readonly launchSlotFree: () => boolean;
  readonly log: Logger;
}

/**
 * One plan at a time, woken by webhooks, sandbox exits and finished actions. Wakes that come in
 * while a plan runs or rests share the next plan.
 */
export function createControlLoop(deps: ControlLoopDeps): ControlLoop {
  let loop: Promise<void> | undefined;
  let dirty = false;
  let stopped = false;
  /** The last plan left jobs waiting for MAX_RUNNERS or a class cap. */
  let lastPlanCapped = false;
  /** Ends the loop's rest early (set while it rests). */
  let endRest: (() => void) | undefined;

  /** A new plan could start a launch at once: then planning should not wait. */
  const launchCouldStart = () => deps.launchSlotFree() && !lastPlanCapped;

  function wake(): void {
    if (stopped) return;
    dirty = true;
    if (loop) {
      if (endRest !== undefined && launchCouldStart()) endRest();
      return;
    }
    loop = run().finally(() => {
      loop = undefined;
      if (dirty && !stopped) wake();
    });
  }

  function rest(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        endRest = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      endRest = done;
    });
  }

  async function run(): Promise<void> {
    // When a launch could start, plan now: the job that woke us gets its create request out
    // before the webhook that brought it is answered, which costs that answer the plan (well
    // under a millisecond for a short queue). Otherwise let the caller answer first.
    if (!launchCouldStart()) await new Promise((resolve) => setImmediate(resolve));
    while (dirty && !stopped) {
      dirty = false;
      const started = performance.now();
      try {
        lastPlanCapped = (await deps.planOnce()).capped;
        // Planning is synchronous CPU work that grows with the queue. Woken again at once (a
        // burst wakes it per webhook), it would hold the event loop and delay webhook answers;
        // so while no launch could start (every slot busy, or the caps reached) it rests
        // PLAN_REST_FACTOR times as long as it planned, and wakes that come in meanwhile share
        // the next plan. A slot that frees with nothing waiting for it ends the rest. Launches
        // already planned need no plan to start: they wait for their slot in the executor.
        const pause = Math.min(MAX_PLAN_REST_MS, PLAN_REST_FACTOR * (performance.now() - started));
        if (dirty && pause >= 1 && !launchCouldStart()) await rest(pause);
      } catch (error) {
        if (isLeadershipLost(error)) {
          // Another replica leads now: planning again would only be refused again.
          stopped = true;
          deps.log.warn({ err: errorFields(error) }, 'no longer leader; planning stopped');
          return;
        }
        deps.log.error(
          { err: errorFields(error) },
          'planning failed; will try again on the next wake',
        );
      }
    }
  }

  return {
    wake,
    running: () => loop !== undefined,
    async idle() {
      while (loop !== undefined) await loop;
    },
    async stop() {
      stopped = true;
      endRest?.();
      await loop;
    },
  };
}
