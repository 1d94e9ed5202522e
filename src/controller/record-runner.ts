import type { RunnerRecord } from '../ledger/ledger.js';
import type { ControllerContext } from './controller-context.js';

export type NewRunnerFields = Pick<
  RunnerRecord,
  'runnerClass' | 'scope' | 'installationId' | 'state' | 'launchedForJobId'
>;

/**
 * Records a new runner, locked to the caller, before anything is created for it: from now on
 * it counts against the caps, and after a crash the reconciler finds what it left behind.
 */
export async function recordRunner(
  ctx: ControllerContext,
  fields: NewRunnerFields,
): Promise<RunnerRecord> {
  const now = ctx.clock.now();
  const runner: RunnerRecord = {
    ...fields,
    name: ctx.newRunnerName(fields.runnerClass),
    runnerId: null,
    sandboxId: null,
    tookJobId: null,
    createdAt: now,
    updatedAt: now,
    lastError: null,
  };
  ctx.locks.tryLock(runner.name);
  try {
    await ctx.ledger.insertRunner(runner);
  } catch (error) {
    ctx.locks.unlock(runner.name);
    throw error;
  }
  return runner;
}
