import type { ControllerContext } from './controller-context.js';
import { undoRecordedLaunch } from './launch-runner.js';

/**
 * After a restart, before the first plan: launches the last process left half done (state
 * `launching`, nobody holding them) are undone, not adopted. Such a sandbox waits on stdin for a
 * config nobody stored, so adopting it would hold a slot and keep its job waiting for minutes.
 * Its registration goes first; GitHub refusing because the runner is busy means the config did
 * arrive and a job runs on it, so that one is kept and followed. The others are marked failed
 * without backing their jobs off (a restart is not the job's fault): the next plan launches
 * again at once. What cannot be undone now (GitHub or Modal down, a registration whose id was
 * never recorded) is left to the reconciler.
 */
export async function recoverInterruptedLaunches(ctx: ControllerContext): Promise<number> {
  let recovered = 0;
  for (const runner of await ctx.ledger.listRunners(['launching'])) {
    if (!ctx.locks.tryLock(runner.name)) continue;
    const log = ctx.log.child({ runnerName: runner.name, sandboxId: runner.sandboxId });
    try {
      const outcome = await undoRecordedLaunch(ctx, runner, log);
      const at = ctx.clock.now();
      if (outcome === 'runner-took-a-job') {
        await ctx.ledger.updateRunner(runner.name, { state: 'busy', at });
        log.info('interrupted launch: its runner had taken a job; kept');
      } else {
        await ctx.ledger.updateRunner(runner.name, {
          state: 'failed',
          lastError: 'launch interrupted by a restart; launched again',
          at,
        });
        log.info('interrupted launch undone; its job gets a new runner now');
      }
      recovered += 1;
    } finally {
      ctx.locks.unlock(runner.name);
    }
  }
  return recovered;
}
