import { hasTakenJob } from '../domain/runner-state.js';
import { isRunnerBusy } from '../domain/error-fields.js';
import type { SandboxTags } from '../domain/sandbox-tags.js';
import type { RunnerRecord } from '../ledger/ledger.js';
import type { Registration } from '../ports/reconcile-github.js';
import type { SandboxInfo } from '../ports/sandbox-platform.js';
import type { ApiBudget } from './api-budget.js';
import type { ReconcilerContext } from './reconciler-context.js';

/** The runner's sandbox is gone: done if it took a job, else failed and deregistered. */
export async function closeSandboxGone(
  ctx: ReconcilerContext,
  runner: RunnerRecord,
  budget: ApiBudget,
): Promise<void> {
  const tookJob = hasTakenJob(runner.state);
  if (!tookJob) await deleteRegistration(ctx, runner, budget);
  await ctx.ledger.updateRunner(runner.name, {
    state: tookJob ? 'done' : 'failed',
    ...(tookJob ? {} : { lastError: 'sandbox gone before the runner took a job' }),
    at: ctx.clock.now(),
  });
  ctx.log.info(
    { runnerName: runner.name, sandboxId: runner.sandboxId },
    'sandbox gone; runner closed',
  );
}

/**
 * A launch nobody is carrying out (the process that started it is gone): undone like a failed
 * launch, registration first. Its sandbox, if it has one, waits for a config nobody stored, so it
 * is terminated, unless GitHub says its runner is busy: then the config did arrive, and the
 * runner is kept and followed.
 */
export async function closeInterruptedLaunch(
  ctx: ReconcilerContext,
  runner: RunnerRecord,
  sandbox: SandboxInfo | undefined,
  budget: ApiBudget,
): Promise<void> {
  const sandboxId = sandbox?.sandboxId ?? runner.sandboxId;
  const deregistered = await deleteRegistration(ctx, runner, budget);
  // Out of budget: the registration may still be live; nothing is touched before it goes.
  if (deregistered === 'skipped') return;
  if (deregistered === 'busy') {
    await ctx.ledger.updateRunner(runner.name, {
      state: 'busy',
      ...(sandboxId !== null ? { sandboxId } : {}),
      at: ctx.clock.now(),
    });
    ctx.log.info(
      { runnerName: runner.name, sandboxId },
      'interrupted launch: its runner is busy; kept',
    );
    return;
  }
  if (sandbox) await ctx.platform.terminate(sandbox.sandboxId);
  await ctx.ledger.updateRunner(runner.name, {
    state: 'failed',
    lastError: 'launch interrupted by a restart; launched again',
    at: ctx.clock.now(),
  });
  ctx.log.info(
    { runnerName: runner.name, sandboxId },
    'interrupted launch undone; its job gets a new runner now',
  );
}

/** GitHub shows the runner online: idle, or busy with a job. */
export async function setRunnerStatus(
  ctx: ReconcilerContext,
  runner: RunnerRecord,
  state: 'idle' | 'busy',
): Promise<void> {
  await ctx.ledger.updateRunner(runner.name, { state, at: ctx.clock.now() });
}

/** A live sandbox of ours the ledger does not know, with a registration: take it back. */
export async function adoptSandbox(
  ctx: ReconcilerContext,
  sandbox: SandboxInfo,
  registration: Registration | undefined,
): Promise<void> {
  const runner =
    sandbox.tags === undefined
      ? undefined
      : runnerFromTags(sandbox.tags, sandbox.sandboxId, registration, ctx.clock.now());
  if (!runner) {
    await ctx.platform.terminate(sandbox.sandboxId);
    ctx.log.warn(
      { sandboxId: sandbox.sandboxId },
      'unknown sandbox with incomplete tags terminated',
    );
    return;
  }
  await ctx.ledger.insertRunner(runner);
  ctx.log.info(
    { runnerName: runner.name, sandboxId: runner.sandboxId, state: runner.state },
    'adopted a sandbox the ledger did not know',
  );
}

/**
 * Deletes a runner's registration, looking it up by name when its id was never recorded. A
 * runner running a job keeps its registration. Within the budget only.
 */
async function deleteRegistration(
  ctx: ReconcilerContext,
  runner: RunnerRecord,
  budget: ApiBudget,
): Promise<'deleted' | 'busy' | 'skipped'> {
  let runnerId = runner.runnerId;
  if (runnerId === null) {
    if (!budget.spend(`find runner ${runner.name}`)) return 'skipped';
    const found = await ctx.github.findRunnerByName({
      installationId: runner.installationId,
      scope: runner.scope,
      name: runner.name,
    });
    runnerId = found?.id ?? null;
  }
  if (runnerId === null) return 'deleted';
  if (!budget.spend(`delete runner ${runner.name}`)) return 'skipped';
  try {
    await ctx.github.deleteRunner({
      installationId: runner.installationId,
      scope: runner.scope,
      runnerId,
    });
    return 'deleted';
  } catch (error) {
    if (!isRunnerBusy(error)) throw error;
    return 'busy';
  }
}

/** A runner record rebuilt from a sandbox's tags (and its registration, when GitHub has one). */
function runnerFromTags(
  tags: SandboxTags,
  sandboxId: string,
  registration: Registration | undefined,
  at: number,
): RunnerRecord | undefined {
  if (tags.scope === undefined || tags.installationId === undefined) return undefined;
  return {
    name: tags.runnerName,
    runnerId: registration?.id ?? null,
    sandboxId,
    runnerClass: tags.runnerClass,
    scope: tags.scope,
    installationId: tags.installationId,
    state: registration?.busy ? 'busy' : registration?.status === 'online' ? 'idle' : 'booting',
    launchedForJobId: tags.jobId ?? null,
    tookJobId: null,
    createdAt: at,
    updatedAt: at,
    lastError: null,
  };
}
