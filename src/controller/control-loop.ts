import {
  launchCouldStart,
  runPlans,
  type ControlLoopContext,
  type ControlLoopDeps,
} from './run-plans.js';

export interface ControlLoop {
  /** Asks for a plan soon. Cheap and safe to call from the webhook path. */
  wake(): void;
  /** A plan is running or resting. */
  running(): boolean;
  /** Resolves once no plan is running. */
  idle(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * One plan at a time, woken by webhooks, sandbox exits and finished actions. Wakes that come in
 * while a plan runs or rests share the next plan (`run-plans.ts`).
 */
export function createControlLoop(deps: ControlLoopDeps): ControlLoop {
  const ctx: ControlLoopContext = {
    ...deps,
    loop: undefined,
    dirty: false,
    stopped: false,
    lastPlanCapped: false,
    endRest: undefined,
  };
  return {
    wake: () => wake(ctx),
    running: () => ctx.loop !== undefined,
    async idle() {
      while (ctx.loop !== undefined) await ctx.loop;
    },
    async stop() {
      ctx.stopped = true;
      ctx.endRest?.();
      await ctx.loop;
    },
  };
}

function wake(ctx: ControlLoopContext): void {
  if (ctx.stopped) return;
  ctx.dirty = true;
  if (ctx.loop) {
    if (ctx.endRest !== undefined && launchCouldStart(ctx)) ctx.endRest();
    return;
  }
  ctx.loop = runPlans(ctx).finally(() => {
    ctx.loop = undefined;
    if (ctx.dirty && !ctx.stopped) wake(ctx);
  });
}
