import { errorCause, errorFields } from '../domain/error-fields.js';
import type { JobRecord, RunnerRecord } from '../ledger/ledger.js';
import type { CircuitBreaker } from './circuit-breaker.js';
import { callWithRetry, type ControllerContext } from './controller-context.js';
import { observed } from './launch-runner.js';
import { recordRunner } from './record-runner.js';

/** A warm sandbox waits for a config this much longer than the plan keeps it. */
const WARM_WAIT_GRACE_SECONDS = 300;

/** Records a warm runner; its scope and installation are unknown until a job takes it. */
export function recordWarm(ctx: ControllerContext, runnerClass: string): Promise<RunnerRecord> {
  return recordRunner(ctx, {
    runnerClass,
    scope: { kind: 'org', org: '' },
    installationId: 0,
    state: 'warm',
    launchedForJobId: null,
  });
}

/** Boots a warm sandbox: it waits on stdin for a job's config for as long as it may be used. */
export async function bootWarm(
  ctx: ControllerContext,
  runner: RunnerRecord,
  probes: readonly CircuitBreaker[] = [],
): Promise<void> {
  const log = ctx.log.child({ class: runner.runnerClass, runnerName: runner.name });
  const runnerClass = ctx.classes.get(runner.runnerClass);
  const pool = ctx.caps.warmPools?.get(runner.runnerClass);
  try {
    if (runnerClass === undefined || pool === undefined) {
      throw new Error(`runner class ${runner.runnerClass} has no warm pool any more`);
    }
    const { sandboxId } = await observed(
      ctx.breakers.modal,
      ctx,
      callWithRetry(ctx, log, 'create-sandbox', () =>
        ctx.platform.createSandbox({
          name: runner.name,
          runnerClass,
          tags: {
            managedBy: ctx.settings.managedBy,
            runnerClass: runner.runnerClass,
            runnerName: runner.name,
            warm: true,
          },
          // Recycled at maxAgeMs by the plan; the grace covers a plan that runs late.
          configWaitSeconds: pool.maxAgeMs / 1000 + WARM_WAIT_GRACE_SECONDS,
        }),
      ),
    );
    await ctx.ledger.updateRunner(runner.name, { sandboxId, at: ctx.clock.now() });
    log.info({ sandboxId }, 'warm sandbox booted');
  } catch (error) {
    ctx.metrics.error(errorCause(error));
    await ctx.ledger.updateRunner(runner.name, {
      state: 'failed',
      lastError: errorFields(error).message,
      at: ctx.clock.now(),
    });
    log.warn({ err: errorFields(error) }, 'warm sandbox could not be created');
  } finally {
    for (const breaker of probes) breaker.release();
  }
}

/** Gives a warm runner to a job: it becomes a launch that skips creating the sandbox. */
export async function claimWarm(
  ctx: ControllerContext,
  warm: RunnerRecord,
  job: JobRecord,
): Promise<RunnerRecord> {
  const claimed = await ctx.ledger.updateRunner(warm.name, {
    state: 'launching',
    launchedForJobId: job.id,
    scope: job.scope,
    installationId: job.installationId,
    at: ctx.clock.now(),
  });
  return claimed ?? warm;
}
