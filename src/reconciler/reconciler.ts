import { errorFields } from '../domain/error-fields.js';
import { createApiBudget } from './api-budget.js';
import { applyRepair } from './apply-repair.js';
import { observeWorld } from './observe-world.js';
import { reconcilePlan } from './reconcile-plan.js';
import {
  emptyReconcilerMemory,
  type ReconcilerContext,
  type ReconcilerDeps,
} from './reconciler-context.js';
import { redeliverFailed } from './redeliver-failed.js';
import { refreshStaleJobs } from './refresh-stale-jobs.js';

export interface TickReport {
  readonly repairs: Readonly<Record<string, number>>;
  readonly jobsChecked: number;
  readonly jobsClosed: number;
  readonly redelivered: number;
  readonly apiCalls: number;
  readonly skipped: readonly string[];
}

export interface Reconciler {
  /** One reconciliation pass; never throws. A tick asked for during one joins it. */
  tick(): Promise<TickReport>;
}

/**
 * Periodic observation of GitHub and Modal into the ledger: the ledger plus this pass are the
 * truth, webhooks only hints. The composition root runs `tick` on its interval.
 */
export function createReconciler(deps: ReconcilerDeps): Reconciler {
  const ctx: ReconcilerContext = {
    ...deps,
    memory: emptyReconcilerMemory(),
  };
  let running: Promise<TickReport> | undefined;
  return {
    tick() {
      running ??= reconcileOnce(ctx).finally(() => {
        running = undefined;
      });
      return running;
    },
  };
}

/** One pass: observe, repair, catch up stale jobs, redeliver lost webhooks, forget old rows. */
async function reconcileOnce(ctx: ReconcilerContext): Promise<TickReport> {
  const now = ctx.clock.now();
  // The budget follows GitHub's rate limits: nothing below the reserve kept for launches.
  const budget = createApiBudget(
    Math.min(ctx.settings.apiBudget, ctx.githubCallsLeft?.(now) ?? Number.POSITIVE_INFINITY),
  );
  const repairs: Record<string, number> = {};
  let jobs = { checked: 0, closed: 0 };
  let redelivered = 0;
  try {
    const world = await observeWorld(ctx, budget);
    const plan = reconcilePlan({
      now,
      runners: world.runners,
      inFlight: ctx.controller.locks.held(),
      sandboxes: world.sandboxes,
      registrations: world.registrations,
      orphanSince: ctx.memory.orphanSince,
      graces: ctx.settings,
    });
    ctx.memory.orphanSince = plan.orphanSince;
    for (const repair of plan.repairs) {
      repairs[repair.kind] = (repairs[repair.kind] ?? 0) + 1;
      await applyRepair(ctx, repair, world, budget);
    }
    jobs = await refreshStaleJobs(ctx, budget, now);
    redelivered = await redeliverFailed(ctx, budget, now);
    await ctx.ledger.prune(now - ctx.settings.retentionMs);
  } catch (error) {
    ctx.log.error({ err: errorFields(error) }, 'reconciliation failed');
  }
  const report: TickReport = {
    repairs,
    jobsChecked: jobs.checked,
    jobsClosed: jobs.closed,
    redelivered,
    apiCalls: budget.calls,
    skipped: budget.skipped,
  };
  const changed = Object.keys(repairs).length > 0 || jobs.closed > 0 || redelivered > 0;
  if (changed) ctx.log.info(report, 'reconciled');
  else ctx.log.debug(report, 'reconciled');
  ctx.metrics.reconciled(report);
  if (redelivered > 0) ctx.metrics.redelivered(redelivered);
  ctx.controller.wake();
  return report;
}
