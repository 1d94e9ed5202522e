import type { Logger } from 'pino';
import { errorFields } from '../domain/error-fields.js';
import { hasTakenJob, LIVE_RUNNER_STATES } from '../domain/runner-state.js';
import type { ControllerContext } from './controller-context.js';
import { deleteRegistration } from './retire-runner.js';

/**
 * Exit watching that does not grow with the fleet: one listing of this deployment's running
 * sandboxes per interval (a page per hundred or so sandboxes, with their tags), instead of one
 * long-polling wait per sandbox. A runner whose sandbox is missing from the listing has exited
 * (a sandbox changed within `lagMs` may not be listed yet, and is looked at next time); the
 * `completed` webhook usually says so sooner. Returns how many exits it found; a listing that
 * fails is left to the next interval.
 */
export async function watchExits(ctx: ControllerContext, lagMs: number): Promise<number> {
  let running: Set<string>;
  try {
    const listed = await ctx.platform.list(ctx.settings.managedBy);
    running = new Set(listed.map((s) => s.sandboxId));
  } catch (error) {
    ctx.log.warn({ err: errorFields(error) }, 'could not list sandboxes to watch their exits');
    return 0;
  }
  const now = ctx.clock.now();
  const exited = (await ctx.ledger.listRunners(LIVE_RUNNER_STATES)).filter(
    (r) =>
      r.sandboxId !== null &&
      !running.has(r.sandboxId) &&
      r.state !== 'launching' &&
      now - r.updatedAt >= lagMs,
  );
  for (const runner of exited) {
    if (!ctx.locks.tryLock(runner.name)) continue;
    try {
      const log = ctx.log.child({ runnerName: runner.name, sandboxId: runner.sandboxId });
      await onSandboxExit(ctx, runner.name, log);
    } finally {
      ctx.locks.unlock(runner.name);
    }
  }
  if (exited.length > 0) ctx.wake();
  return exited.length;
}

/**
 * A sandbox exited: after its job the runner is done; before any job it failed, and its
 * registration (if one was minted) goes too. Either way its slot is free for the next plan.
 */
export async function onSandboxExit(
  ctx: ControllerContext,
  runnerName: string,
  log: Logger,
): Promise<void> {
  if (ctx.stopped()) return;
  const runner = await ctx.ledger.getRunner(runnerName);
  if (runner === undefined || runner.state === 'done' || runner.state === 'failed') return;
  // A launch in progress owns the runner: if its sandbox went, the launch fails and undoes.
  if (runner.state === 'launching') return;
  const at = ctx.clock.now();
  if (runner.state === 'warm') {
    await ctx.ledger.updateRunner(runnerName, { state: 'done', at });
    log.info('warm sandbox ended unused');
  } else if (hasTakenJob(runner.state)) {
    await ctx.ledger.updateRunner(runnerName, { state: 'done', at });
    log.info('sandbox exited after its job');
  } else {
    await ctx.ledger.updateRunner(runnerName, {
      state: 'failed',
      lastError: 'sandbox exited before the runner took a job',
      at,
    });
    log.warn('sandbox exited before the runner took a job');
    await deleteRegistration(ctx, runner, log);
  }
}
