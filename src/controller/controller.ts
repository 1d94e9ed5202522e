import type { RunnerLocks } from '../ports/runner-locks.js';
import { carryOutPlan } from './carry-out-plan.js';
import { createCircuitBreaker, type CircuitBreaker } from './circuit-breaker.js';
import { createControlLoop } from './control-loop.js';
import type { ControllerContext, ControllerDeps } from './controller-context.js';
import { watchExits } from './exit-watch.js';
import { createExecutor } from './executor.js';
import { planCapsFor } from './plan-caps.js';
import { createWakeTimer } from './wake-timer.js';
import { recoverInterruptedLaunches } from './recover-launches.js';
import type { WaitReason } from './plan.js';

export interface Controller {
  /** Asks for a plan soon. Cheap and safe to call from the webhook path. */
  wake(): void;
  /**
   * A job was queued: plans unless the last plan found MAX_RUNNERS reached with no warm sandbox
   * left, when the job could not launch anyway. The next plan (a runner ending, an action
   * finishing, a timer) takes it in. In a burst past the cap this spares a plan per webhook.
   */
  jobQueued(): void;
  /** Resolves once no plan is running and no action is in flight. */
  settled(): Promise<void>;
  /** Why each uncovered queued job waits, as of the last plan. */
  waitReasons(): ReadonlyMap<number, WaitReason>;
  /** The runner locks the controller takes; the reconciler takes them too. */
  readonly locks: RunnerLocks;
  /** After a restart, before the first plan: undoes the launches the last process left. */
  recover(): Promise<void>;
  /**
   * One pass of exit watching: runners whose sandbox is no longer listed are closed (run by the
   * server's `exit-watch` loop every `exitWatchIntervalMs`).
   */
  watchExits(): Promise<number>;
  stop(): Promise<void>;
}

/**
 * The controller: a control loop that plans (`plan.ts`, pure) and an executor that carries the
 * actions out (`launch-runner.ts`, `warm-pool.ts`, `retire-runner.ts`), with sandbox exits
 * followed by `exit-watch.ts`. Every outcome is written to the ledger.
 */
export function createController(deps: ControllerDeps): Controller {
  let waiting: ReadonlyMap<number, WaitReason> = new Map();
  let saturated = false;
  let stopped = false;
  // The loop and the context refer to each other: the context's `wake` is the loop's.
  const wake = () => loop.wake();
  const timer = createWakeTimer(deps.clock, wake);
  const executor = createExecutor({
    maxConcurrentLaunches: deps.settings.maxConcurrentLaunches,
    locks: deps.locks,
    log: deps.log,
    onFinished: wake,
  });
  const ctx: ControllerContext = {
    ...deps,
    random: deps.random ?? Math.random,
    caps: planCapsFor(deps.classes, deps.settings),
    breakers: { github: upstreamBreaker(deps, 'github'), modal: upstreamBreaker(deps, 'modal') },
    executor,
    wake,
    wakeAt: timer.wakeAt,
    stopped: () => stopped,
  };
  const loop = createControlLoop({
    planOnce: async () => {
      const outcome = await carryOutPlan(ctx);
      waiting = outcome.waiting;
      saturated = outcome.saturated;
      return outcome;
    },
    launchSlotFree: executor.launchSlotFree,
    log: deps.log,
  });

  return {
    wake,
    jobQueued: () => {
      if (!saturated) wake();
    },
    async settled() {
      while (loop.running() || executor.busy()) {
        await loop.idle();
        await executor.settled();
      }
    },
    waitReasons: () => waiting,
    locks: deps.locks,
    async recover() {
      await recoverInterruptedLaunches(ctx);
    },
    watchExits: () => watchExits(ctx, deps.settings.exitWatchLagMs),
    async stop() {
      stopped = true;
      timer.stop();
      await loop.stop();
      await executor.settled();
    },
  };
}

/** The upstream's circuit breaker, its changes logged and exported as a metric. */
function upstreamBreaker(deps: ControllerDeps, upstream: 'github' | 'modal'): CircuitBreaker {
  return createCircuitBreaker(upstream, deps.settings.circuitBreaker, (state, detail) => {
    deps.metrics.circuitBreaker(upstream, state);
    if (state === 'open') {
      deps.log.warn(
        { upstream, ...detail },
        `${upstream} keeps failing: launches stop until a probe succeeds`,
      );
    } else if (state === 'closed') {
      deps.log.info({ upstream }, `${upstream} answers again: launches resume`);
    } else {
      deps.log.info({ upstream }, `probing ${upstream} with one launch`);
    }
  });
}
