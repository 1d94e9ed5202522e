import type { Logger } from 'pino';
import { errorFields, isRunnerBusy } from '../domain/error-fields.js';
import type { RunnerRecord } from '../ledger/ledger.js';
import { callWithRetry, type ControllerContext } from './controller-context.js';

export type Deregistration = 'deleted' | 'busy' | 'failed';

/** Deletes the runner's GitHub registration (none yet counts as deleted). Never throws. */
export async function deleteRegistration(
  ctx: ControllerContext,
  runner: RunnerRecord,
  log: Logger,
): Promise<Deregistration> {
  if (runner.runnerId === null) return 'deleted';
  const runnerId = runner.runnerId;
  try {
    await callWithRetry(ctx, log, 'delete-runner', () =>
      ctx.registry.deleteRunner({
        installationId: runner.installationId,
        scope: runner.scope,
        runnerId,
      }),
    );
    return 'deleted';
  } catch (error) {
    if (isRunnerBusy(error)) {
      log.info('runner is running a job; registration kept');
      return 'busy';
    }
    log.error({ err: errorFields(error) }, 'could not delete the runner registration');
    return 'failed';
  }
}

/** Terminates a sandbox nobody will use; a failure is left to the reconciler. Never throws. */
export async function abandonSandbox(
  ctx: ControllerContext,
  sandboxId: string,
  log: Logger,
): Promise<void> {
  try {
    await ctx.platform.terminate(sandboxId);
  } catch (error) {
    log.warn({ sandboxId, err: errorFields(error) }, 'could not terminate an unneeded sandbox');
  }
}

/** Shuts down the sandbox of a runner that is finished with (its job completed, or unused). */
export async function terminateRunner(
  ctx: ControllerContext,
  runner: RunnerRecord,
  reason: string,
): Promise<void> {
  const log = ctx.log.child({ runnerName: runner.name, sandboxId: runner.sandboxId });
  if (runner.sandboxId !== null) {
    const id = runner.sandboxId;
    await callWithRetry(ctx, log, 'terminate-sandbox', () => ctx.platform.terminate(id));
  }
  await ctx.ledger.updateRunner(runner.name, { state: 'done', at: ctx.clock.now() });
  log.info({ reason }, 'runner finished');
}

/**
 * Retires a runner nobody needs: its registration first (so no job can take it any more), then
 * its sandbox. GitHub refusing because the runner took a job after all marks it busy: it is left
 * alone until its job ends, never retried in a loop.
 */
export async function retireRunner(
  ctx: ControllerContext,
  runner: RunnerRecord,
  reason: string,
): Promise<void> {
  const log = ctx.log.child({ runnerName: runner.name, sandboxId: runner.sandboxId });
  const outcome = await deleteRegistration(ctx, runner, log);
  if (outcome === 'busy') {
    const current = await ctx.ledger.getRunner(runner.name);
    if (current?.state === runner.state) {
      await ctx.ledger.updateRunner(runner.name, { state: 'busy', at: ctx.clock.now() });
    }
    return;
  }
  if (outcome === 'failed') {
    // Touched, so that the plan waits the idle grace before it tries again.
    await ctx.ledger.updateRunner(runner.name, {
      lastError: 'could not delete its registration; retiring again later',
      at: ctx.clock.now(),
    });
    return;
  }
  const current = await ctx.ledger.getRunner(runner.name);
  if (current !== undefined && current.state !== runner.state) {
    log.info({ state: current.state }, 'runner changed state while being retired; left alone');
    return;
  }
  if (runner.sandboxId !== null) {
    const id = runner.sandboxId;
    await callWithRetry(ctx, log, 'terminate-sandbox', () => ctx.platform.terminate(id));
  }
  await ctx.ledger.updateRunner(runner.name, {
    state: 'done',
    lastError: reason,
    at: ctx.clock.now(),
  });
  log.info({ reason }, 'runner retired');
}
