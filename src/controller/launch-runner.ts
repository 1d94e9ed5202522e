import type { Logger } from 'pino';
import type { RunnerClass } from '../config/runner-class.js';
import { errorCause, errorFields, retryHintOf } from '../domain/error-fields.js';
import type { CircuitBreaker } from './circuit-breaker.js';
import type { JobRecord, RunnerRecord } from '../ledger/ledger.js';
import type { JitConfig } from '../ports/runner-registry.js';
import { callWithRetry, type ControllerContext } from './controller-context.js';
import { backoffDelay } from './retry.js';
import { abandonSandbox, deleteRegistration } from './retire-runner.js';

/** What a launch has made so far, so that a failure can undo exactly that. */
interface Made {
  runnerId: number | undefined;
  sandboxId: string | null;
}

export type UndoOutcome = 'undone' | 'runner-took-a-job';

/**
 * How a failed launch is undone, in order. The registration goes first: once it is deleted no
 * job can take the runner, so terminating the sandbox cannot kill a job. GitHub refusing the
 * deletion because the runner is busy means the config did arrive and a job runs on it: the
 * sandbox is then kept and the launch counts as done.
 */
const UNDO_STEPS: readonly {
  readonly what: string;
  readonly applies: (made: Made) => boolean;
  readonly run: (
    ctx: ControllerContext,
    runner: RunnerRecord,
    made: Made,
    log: Logger,
  ) => Promise<UndoOutcome>;
}[] = [
  {
    what: 'delete the registration',
    applies: (made) => made.runnerId !== undefined,
    run: async (ctx, runner, made, log) =>
      (await deleteRegistration(ctx, { ...runner, runnerId: made.runnerId ?? null }, log)) ===
      'busy'
        ? 'runner-took-a-job'
        : 'undone',
  },
  {
    what: 'terminate the sandbox',
    applies: (made) => made.sandboxId !== null,
    run: async (ctx, _runner, made, log) => {
      if (made.sandboxId !== null) await abandonSandbox(ctx, made.sandboxId, log);
      return 'undone';
    },
  },
];

/**
 * Launches a runner for a job: mints its JIT config while its sandbox is created (a warm
 * sandbox exists already), then delivers the config on the sandbox's stdin. A failure anywhere
 * undoes what was made and backs the job off; the plan launches again when the backoff ends.
 *
 * While an upstream has been failing, the halves run one after the other instead, the failing
 * one first: a GitHub outage then costs no sandbox, a Modal outage no registration. `probes` are
 * the circuit-breaker probes this launch holds (see carry-out-plan.ts).
 */
export async function launchRunner(
  ctx: ControllerContext,
  runner: RunnerRecord,
  job: JobRecord,
  probes: readonly CircuitBreaker[] = [],
): Promise<void> {
  try {
    await launch(ctx, runner, job);
  } finally {
    for (const breaker of probes) breaker.release();
  }
}

async function launch(ctx: ControllerContext, runner: RunnerRecord, job: JobRecord): Promise<void> {
  const log = ctx.log.child({
    jobId: job.id,
    runId: job.runId,
    repo: job.repo,
    class: runner.runnerClass,
    runnerName: runner.name,
  });
  const warm = runner.sandboxId !== null;
  const made: Made = { runnerId: undefined, sandboxId: runner.sandboxId };
  let jit: JitConfig;
  try {
    const runnerClass = ctx.classes.get(runner.runnerClass);
    if (runnerClass === undefined) {
      throw new Error(`runner class ${runner.runnerClass} is no longer configured`);
    }
    const mint = () =>
      observed(ctx.breakers.github, ctx, mintConfig(ctx, runner, log)).then((minted) => {
        made.runnerId = minted.runnerId;
        return minted;
      });
    const create = () =>
      warm
        ? Promise.resolve(runner.sandboxId as string)
        : observed(
            ctx.breakers.modal,
            ctx,
            createRunnerSandbox(ctx, runner, job, runnerClass, log),
          ).then((id) => {
            made.sandboxId = id;
            return id;
          });
    let sandboxId: string;
    if (ctx.breakers.github.failing()) {
      jit = await mint();
      sandboxId = await create();
    } else if (ctx.breakers.modal.failing()) {
      sandboxId = await create();
      jit = await mint();
    } else {
      // Both halves run to the end even when one fails, so that undo knows all that was made.
      const [minted, created] = await Promise.allSettled([mint(), create()]);
      if (minted.status === 'rejected') throw minted.reason;
      if (created.status === 'rejected') throw created.reason;
      jit = minted.value;
      sandboxId = created.value;
    }
    const config = jit.encodedJitConfig;
    await observed(
      ctx.breakers.modal,
      ctx,
      callWithRetry(ctx, log, 'deliver-config', () =>
        ctx.platform.deliverConfig(sandboxId, config),
      ),
    );
  } catch (error) {
    if ((await undo(ctx, runner, made, log)) === 'runner-took-a-job') {
      await ctx.ledger.updateRunner(runner.name, { state: 'busy', at: ctx.clock.now() });
      log.warn({ err: errorFields(error) }, 'launch reported a failure, but its runner took a job');
      return;
    }
    await failLaunch(ctx, runner, job, log, error);
    return;
  }
  const sandboxId = made.sandboxId as string;
  const current = await ctx.ledger.getRunner(runner.name);
  if (current?.state === 'launching') {
    await ctx.ledger.updateRunner(runner.name, { state: 'booting', at: ctx.clock.now() });
  }
  ctx.metrics.launch(runner.runnerClass, 'success', ctx.clock.now() - runner.createdAt);
  log.info({ sandboxId, runnerId: jit.runnerId, warm }, 'runner launched');
}

/**
 * Undoes what a launch made, as the ledger recorded it: for a launch cut off by a crash, whose
 * registration and sandbox ids are all that is known of it.
 */
export function undoRecordedLaunch(
  ctx: ControllerContext,
  runner: RunnerRecord,
  log: Logger,
): Promise<UndoOutcome> {
  return undo(
    ctx,
    runner,
    { runnerId: runner.runnerId ?? undefined, sandboxId: runner.sandboxId },
    log,
  );
}

async function undo(
  ctx: ControllerContext,
  runner: RunnerRecord,
  made: Made,
  log: Logger,
): Promise<UndoOutcome> {
  for (const step of UNDO_STEPS) {
    if (!step.applies(made)) continue;
    log.debug({ step: step.what }, 'undoing a failed launch');
    if ((await step.run(ctx, runner, made, log)) === 'runner-took-a-job')
      return 'runner-took-a-job';
  }
  return 'undone';
}

/** Mints the runner's JIT config and records its runner id (so that it can be deleted). */
async function mintConfig(
  ctx: ControllerContext,
  runner: RunnerRecord,
  log: Logger,
): Promise<JitConfig> {
  const minted = await callWithRetry(ctx, log, 'generate-jitconfig', () =>
    ctx.registry.generateJitConfig({
      installationId: runner.installationId,
      scope: runner.scope,
      name: runner.name,
      labels: ['self-hosted', 'Linux', 'X64', runner.runnerClass],
      runnerGroupId: ctx.settings.runnerGroupId,
    }),
  );
  await ctx.ledger.updateRunner(runner.name, { runnerId: minted.runnerId, at: ctx.clock.now() });
  return minted;
}

/** Creates the runner's sandbox and records its id before any config reaches it. */
async function createRunnerSandbox(
  ctx: ControllerContext,
  runner: RunnerRecord,
  job: JobRecord,
  runnerClass: RunnerClass,
  log: Logger,
): Promise<string> {
  const { sandboxId } = await callWithRetry(ctx, log, 'create-sandbox', () =>
    ctx.platform.createSandbox({
      name: runner.name,
      runnerClass,
      tags: {
        managedBy: ctx.settings.managedBy,
        runnerName: runner.name,
        runnerClass: runner.runnerClass,
        warm: false,
        scope: runner.scope,
        installationId: runner.installationId,
        jobId: job.id,
        repo: job.repo,
        org: job.org,
      },
    }),
  );
  // Recorded before the config is delivered, so that after a crash the reconciler finds it.
  await ctx.ledger.updateRunner(runner.name, { sandboxId, at: ctx.clock.now() });
  return sandboxId;
}

/** The runner failed; the job backs off before its next launch. */
async function failLaunch(
  ctx: ControllerContext,
  runner: RunnerRecord,
  job: JobRecord,
  log: Logger,
  error: unknown,
): Promise<void> {
  const { message } = errorFields(error);
  const now = ctx.clock.now();
  ctx.metrics.launch(runner.runnerClass, 'failure', now - runner.createdAt);
  ctx.metrics.error(errorCause(error));
  await ctx.ledger.updateRunner(runner.name, { state: 'failed', lastError: message, at: now });
  const latest = (await ctx.ledger.getJob(job.id)) ?? job;
  const attempts = latest.launchAttempts + 1;
  // Never sooner than the upstream asked (a long `retry-after` fails the call at once).
  const delay = Math.max(
    backoffDelay(ctx.settings.launchBackoff, attempts, ctx.random),
    retryHintOf(error).retryAfterMs ?? 0,
  );
  await ctx.ledger.updateJob(job.id, {
    launchAttempts: attempts,
    nextAttemptAt: now + delay,
    lastError: message,
  });
  log.error({ err: errorFields(error), attempts, nextAttemptInMs: delay }, 'launch failed');
}

/**
 * Tells the upstream's breaker how a call went. An error the upstream may recover from (5xx,
 * throttling, timeouts, network) is a failure; any answer, an error such as 403 or 422 included,
 * shows the upstream up.
 */
export async function observed<T>(
  breaker: CircuitBreaker,
  ctx: Pick<ControllerContext, 'clock'>,
  call: Promise<T>,
): Promise<T> {
  try {
    const value = await call;
    breaker.success();
    return value;
  } catch (error) {
    if (retryHintOf(error).retryable) breaker.failure(ctx.clock.now());
    else breaker.success();
    throw error;
  }
}
