import type { Logger } from 'pino';
import { errorFields } from '../domain/error-fields.js';
import { isLeadershipLost } from '../domain/leadership-lost.js';

/** After a plan, the loop rests this many times the plan's duration… */
const PLAN_REST_FACTOR = 2;
/** …but never longer than this. */
const MAX_PLAN_REST_MS = 50;

export interface ControlLoopDeps {
  /** One plan, its actions handed to the executor; says whether the caps held jobs back. */
  readonly planOnce: () => Promise<{ readonly capped: boolean }>;
  /** A launch slot is free right now. */
  readonly launchSlotFree: () => boolean;
  readonly log: Logger;
}

/** The one state object of the control loop. */
export interface ControlLoopContext extends ControlLoopDeps {
  /** The running plans, while they run or rest. */
  loop: Promise<void> | undefined;
  /** A wake came in that no plan has answered yet. */
  dirty: boolean;
  stopped: boolean;
  /** The last plan left jobs waiting for MAX_RUNNERS or a class cap. */
  lastPlanCapped: boolean;
  /** Ends the loop's rest early (set while it rests). */
  endRest: (() => void) | undefined;
}

/** A new plan could start a launch at once: then planning should not wait. */
export const launchCouldStart = (ctx: ControlLoopContext): boolean =>
  ctx.launchSlotFree() && !ctx.lastPlanCapped;

/**
 * Plans while wakes keep coming, resting between plans while no launch could start. Stops for
 * good when the database says another replica leads.
 */
export async function runPlans(ctx: ControlLoopContext): Promise<void> {
  // When a launch could start, plan now: the job that woke us gets its create request out
  // before the webhook that brought it is answered, which costs that answer the plan (well
  // under a millisecond for a short queue). Otherwise let the caller answer first.
  if (!launchCouldStart(ctx)) await new Promise((resolve) => setImmediate(resolve));
  while (ctx.dirty && !ctx.stopped) {
    ctx.dirty = false;
    const started = performance.now();
    try {
      ctx.lastPlanCapped = (await ctx.planOnce()).capped;
      // Planning is synchronous CPU work that grows with the queue. Woken again at once (a
      // burst wakes it per webhook), it would hold the event loop and delay webhook answers;
      // so while no launch could start (every slot busy, or the caps reached) it rests
      // PLAN_REST_FACTOR times as long as it planned, and wakes that come in meanwhile share
      // the next plan. A slot that frees with nothing waiting for it ends the rest. Launches
      // already planned need no plan to start: they wait for their slot in the executor.
      const pause = Math.min(MAX_PLAN_REST_MS, PLAN_REST_FACTOR * (performance.now() - started));
      if (ctx.dirty && pause >= 1 && !launchCouldStart(ctx)) await rest(ctx, pause);
    } catch (error) {
      if (isLeadershipLost(error)) {
        // Another replica leads now: planning again would only be refused again.
        ctx.stopped = true;
        ctx.log.warn({ err: errorFields(error) }, 'no longer leader; planning stopped');
        return;
      }
      ctx.log.error(
        { err: errorFields(error) },
        'planning failed; will try again on the next wake',
      );
    }
  }
}

function rest(ctx: ControlLoopContext, ms: number): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      ctx.endRest = undefined;
      resolve();
    };
    const timer = setTimeout(done, ms);
    ctx.endRest = done;
  });
}
