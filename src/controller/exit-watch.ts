import type { Logger } from 'pino';
import { errorFields } from '../domain/error-fields.js';
import { hasTakenJob } from '../domain/runner-state.js';
import type { ControllerContext } from './controller-context.js';
import { deleteRegistration } from './retire-runner.js';

/** Follows a sandbox until it exits, then closes its runner. */
export function watchExit(
  ctx: ControllerContext,
  runnerName: string,
  sandboxId: string,
  log: Logger,
): void {
  ctx.platform
    .waitForExit(sandboxId)
    .then(
      (exitCode) => onSandboxExit(ctx, runnerName, exitCode, log),
      (error: unknown) =>
        log.warn(
          { err: errorFields(error) },
          'lost track of the sandbox; reconciliation will find it',
        ),
    )
    // The ledger refused or failed the write (no longer leader, database unreachable): the
    // reconciler sees the sandbox gone and closes the runner.
    .catch((error: unknown) =>
      log.warn(
        { err: errorFields(error) },
        "could not record the sandbox's exit; reconciliation will",
      ),
    );
}

/**
 * A sandbox exited: after its job the runner is done; before any job it failed, and its
 * registration (if one was minted) goes too. Either way its slot is free for the next plan.
 */
export async function onSandboxExit(
  ctx: ControllerContext,
  runnerName: string,
  exitCode: number,
  log: Logger,
): Promise<void> {
  if (ctx.stopped()) return;
  const runner = await ctx.ledger.getRunner(runnerName);
  if (runner === undefined || runner.state === 'done' || runner.state === 'failed') return;
  // A launch in flight (a warm sandbox taken by a job) owns its runner: it finds a dead sandbox
  // itself (the delivery fails), undoes and backs the job off. Closing the runner here would
  // let a plan relaunch the job before that backoff is recorded.
  if (runner.state === 'launching') return;
  const at = ctx.clock.now();
  if (runner.state === 'warm') {
    await ctx.ledger.updateRunner(runnerName, { state: 'done', at });
    log.info({ exitCode }, 'warm sandbox ended unused');
  } else if (hasTakenJob(runner.state)) {
    await ctx.ledger.updateRunner(runnerName, { state: 'done', at });
    log.info({ exitCode }, 'sandbox exited after its job');
  } else {
    await ctx.ledger.updateRunner(runnerName, {
      state: 'failed',
      lastError: `sandbox exited (code ${exitCode}) before the runner took a job`,
      at,
    });
    log.warn({ exitCode }, 'sandbox exited before the runner took a job');
    await deleteRegistration(ctx, runner, log);
  }
  ctx.wake();
}
