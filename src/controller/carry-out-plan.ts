import { LIVE_RUNNER_STATES } from '../domain/runner-state.js';
import type { CircuitBreaker } from './circuit-breaker.js';
import type { ControllerContext } from './controller-context.js';
import { launchRunner } from './launch-runner.js';
import { nextDecisionAt } from './next-decision.js';
import { plan, type Action, type WaitReason } from './plan.js';
import { recordRunner } from './record-runner.js';
import { retireRunner, terminateRunner } from './retire-runner.js';
import { bootWarm, claimWarm, recordWarm } from './warm-pool.js';

export interface PlanOutcome {
  /** Why each uncovered queued job waits. */
  readonly waiting: ReadonlyMap<number, WaitReason>;
  /** Jobs wait for MAX_RUNNERS or a class cap: a new plan cannot launch before a slot frees. */
  readonly capped: boolean;
  /** MAX_RUNNERS reached, no warm sandbox left: a newly queued job cannot launch either. */
  readonly saturated: boolean;
}

/** Reads the ledger, plans, and hands every action to the executor. */
export async function carryOutPlan(ctx: ControllerContext): Promise<PlanOutcome> {
  const [queuedJobs, runners] = await Promise.all([
    ctx.ledger.listJobs(['queued']),
    ctx.ledger.listRunners(LIVE_RUNNER_STATES),
  ]);
  const snapshot = { queuedJobs, runners, inFlight: ctx.locks.held() };
  const now = ctx.clock.now();
  const result = plan(snapshot, ctx.caps, now);
  // Time-based decisions (a backoff ending, a grace passing) need a plan then, webhook or not.
  const wakeAt = nextDecisionAt(snapshot, ctx.caps, now, result.waiting);
  if (wakeAt !== undefined) ctx.wakeAt(wakeAt);
  const waiting = new Map(result.waiting);
  for (const action of result.actions) {
    const held = await dispatch(ctx, action);
    if (held !== undefined && action.kind === 'launch') waiting.set(action.job.id, held);
  }
  let capped = false;
  for (const reason of waiting.values()) {
    if (reason === 'cap' || reason === 'class-cap') {
      capped = true;
      break;
    }
  }
  return { waiting, capped, saturated: result.saturated };
}

/**
 * May a launch use these upstreams now? Undefined while a breaker is open (the controller is
 * woken when it may be probed); otherwise the probes taken, which the launch gives back.
 */
function permit(
  ctx: ControllerContext,
  breakers: readonly CircuitBreaker[],
): readonly CircuitBreaker[] | undefined {
  const now = ctx.clock.now();
  const closed = breakers.find((b) => b.state(now) === 'open');
  if (closed !== undefined) {
    const at = closed.openUntil();
    if (at !== undefined) ctx.wakeAt(at);
    return undefined;
  }
  const probes = breakers.filter((b) => b.state(now) === 'probing');
  for (const b of breakers) b.tryAcquire(now);
  return probes;
}

/**
 * One action: the runner is locked first, so the plan and the reconciler leave it alone. A
 * launch an open circuit breaker holds back is not dispatched: its reason is returned.
 */
async function dispatch(ctx: ControllerContext, action: Action): Promise<WaitReason | undefined> {
  const { github, modal } = ctx.breakers;
  switch (action.kind) {
    case 'launch': {
      const { job, warm } = action;
      const probes = permit(ctx, [github, modal]);
      if (probes === undefined) {
        return github.state(ctx.clock.now()) === 'open' ? 'github-down' : 'modal-down';
      }
      if (warm !== undefined && !ctx.locks.tryLock(warm.name)) {
        for (const b of probes) b.release();
        return undefined;
      }
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
      ctx.executor.submit('launch', runner.name, () => launchRunner(ctx, runner, job, probes));
      return undefined;
    }
    case 'warm': {
      const probes = permit(ctx, [modal]);
      if (probes === undefined) return undefined;
      const runner = await recordWarm(ctx, action.runnerClass);
      ctx.executor.submit('launch', runner.name, () => bootWarm(ctx, runner, probes));
      return undefined;
    }
    case 'terminate': {
      const { runner, reason } = action;
      if (!ctx.locks.tryLock(runner.name)) return undefined;
      ctx.executor.submit('shutdown', runner.name, () => terminateRunner(ctx, runner, reason));
      return undefined;
    }
    case 'retire': {
      const { runner, reason } = action;
      if (!ctx.locks.tryLock(runner.name)) return undefined;
      ctx.executor.submit('shutdown', runner.name, () => retireRunner(ctx, runner, reason));
      return undefined;
    }
  }
}
