import { LIVE_RUNNER_STATES } from '../domain/runner-state.js';
import type { ControllerContext } from './controller-context.js';
import { launchRunner } from './launch-runner.js';
import { plan, type Action, type WaitReason } from './plan.js';
import { recordRunner } from './record-runner.js';
import { retireRunner, terminateRunner } from './retire-runner.js';
import { bootWarm, claimWarm, recordWarm } from './warm-pool.js';

export interface PlanOutcome {
  /** Why each uncovered queued job waits. */
  readonly waiting: ReadonlyMap<number, WaitReason>;
  /** Jobs wait for MAX_RUNNERS or a class cap: a new plan cannot launch before a slot frees. */
  readonly capped: boolean;
}

/** Reads the ledger, plans, and hands every action to the executor. */
export async function carryOutPlan(ctx: ControllerContext): Promise<PlanOutcome> {
  const [queuedJobs, runners] = await Promise.all([
    ctx.ledger.listJobs(['queued']),
    ctx.ledger.listRunners(LIVE_RUNNER_STATES),
  ]);
  const result = plan(
    { queuedJobs, runners, inFlight: ctx.locks.held() },
    ctx.caps,
    ctx.clock.now(),
  );
  for (const action of result.actions) await dispatch(ctx, action);
  let capped = false;
  for (const reason of result.waiting.values()) {
    if (reason === 'cap' || reason === 'class-cap') {
      capped = true;
      break;
    }
  }
  return { waiting: result.waiting, capped };
}

/** One action: the runner is locked first, so the plan and the reconciler leave it alone. */
async function dispatch(ctx: ControllerContext, action: Action): Promise<void> {
  switch (action.kind) {
    case 'launch': {
      const { job, warm } = action;
      if (warm !== undefined && !ctx.locks.tryLock(warm.name)) return;
      const runner =
        warm !== undefined
          ? await claimWarm(ctx, warm, job)
          : await recordRunner(ctx, {
              runnerClass: job.runnerClass,
              scope: job.scope,
              installationId: job.installationId,
              state: 'launching',
              launchedForJobId: job.id,
            });
      ctx.executor.submit('launch', runner.name, () => launchRunner(ctx, runner, job));
      return;
    }
    case 'warm': {
      const runner = await recordWarm(ctx, action.runnerClass);
      ctx.executor.submit('launch', runner.name, () => bootWarm(ctx, runner));
      return;
    }
    case 'terminate': {
      const { runner, reason } = action;
      if (!ctx.locks.tryLock(runner.name)) return;
      ctx.executor.submit('shutdown', runner.name, () => terminateRunner(ctx, runner, reason));
      return;
    }
    case 'retire': {
      const { runner, reason } = action;
      if (!ctx.locks.tryLock(runner.name)) return;
      ctx.executor.submit('shutdown', runner.name, () => retireRunner(ctx, runner, reason));
      return;
    }
  }
}
