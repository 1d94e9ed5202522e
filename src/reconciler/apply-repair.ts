import { errorFields } from '../domain/error-fields.js';
import { isLive } from '../domain/runner-state.js';
import type { ApiBudget } from './api-budget.js';
import type { World } from './observe-world.js';
import type { Repair } from './reconcile-plan.js';
import type { ReconcilerContext } from './reconciler-context.js';
import {
  adoptSandbox,
  closeInterruptedLaunch,
  closeSandboxGone,
  setRunnerStatus,
} from './repair-runner.js';
import { deleteOrphanRegistration, terminateStraySandbox } from './repair-strays.js';

/**
 * Carries out one repair under the runner's lock, if the runner is still as observed. Never
 * throws: a failed repair is logged and tried again next tick.
 */
export async function applyRepair(
  ctx: ReconcilerContext,
  repair: Repair,
  world: World,
  budget: ApiBudget,
): Promise<void> {
  const name = runnerNameOf(repair);
  const { locks } = ctx.controller;
  if (name !== undefined && !locks.tryLock(name)) {
    ctx.log.debug(
      { repair: repair.kind, runnerName: name },
      'runner busy with an action; repair skipped',
    );
    return;
  }
  try {
    if (!(await stillAsPlanned(ctx, repair, name))) {
      ctx.log.debug(
        { repair: repair.kind },
        'state moved on since the observation; repair skipped',
      );
      return;
    }
    switch (repair.kind) {
      case 'sandbox-gone':
        return await closeSandboxGone(ctx, repair.runner, budget);
      case 'interrupted-launch':
        return await closeInterruptedLaunch(ctx, repair.runner, repair.sandbox, budget);
      case 'runner-status':
        return await setRunnerStatus(ctx, repair.runner, repair.state);
      case 'adopt-sandbox':
        return await adoptSandbox(ctx, repair.sandbox, repair.registration);
      case 'terminate-sandbox':
        return await terminateStraySandbox(ctx, repair.sandbox, repair.reason);
      case 'delete-registration':
        return await deleteOrphanRegistration(ctx, repair, world, budget);
    }
  } catch (error) {
    ctx.log.error(
      { err: errorFields(error), repair: repair.kind, runnerName: name },
      'repair failed; will try again next tick',
    );
  } finally {
    if (name !== undefined) locks.unlock(name);
  }
}

function runnerNameOf(repair: Repair): string | undefined {
  if ('runner' in repair) return repair.runner.name;
  if (repair.kind === 'delete-registration') return repair.registration.name;
  return repair.sandbox.tags?.runnerName;
}

/**
 * The observation behind a repair can be stale by the time it runs: the controller may have
 * finished a launch or taken a runner in between. A repair about a runner runs only if the
 * runner is still exactly as observed.
 */
async function stillAsPlanned(
  ctx: ReconcilerContext,
  repair: Repair,
  name: string | undefined,
): Promise<boolean> {
  if (name === undefined) return true;
  const current = await ctx.ledger.getRunner(name);
  if ('runner' in repair) {
    return current?.state === repair.runner.state && current.updatedAt === repair.runner.updatedAt;
  }
  // Repairs of things the ledger did not account for: still unaccounted for?
  const live = current !== undefined && isLive(current.state);
  return repair.kind === 'adopt-sandbox' ? current === undefined : !live;
}
