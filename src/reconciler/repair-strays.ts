import { isRunnerBusy } from '../domain/error-fields.js';
import { parseScopeKey } from '../domain/runner-scope.js';
import type { SandboxInfo } from '../ports/sandbox-platform.js';
import type { ApiBudget } from './api-budget.js';
import type { World } from './observe-world.js';
import type { Repair } from './reconcile-plan.js';
import type { ReconcilerContext } from './reconciler-context.js';

/** A sandbox of ours that no live runner accounts for. */
export async function terminateStraySandbox(
  ctx: ReconcilerContext,
  sandbox: SandboxInfo,
  reason: string,
): Promise<void> {
  await ctx.platform.terminate(sandbox.sandboxId);
  ctx.log.info(
    { sandboxId: sandbox.sandboxId, runnerName: sandbox.tags?.runnerName, reason },
    'stray sandbox terminated',
  );
}

/** A registration of ours with no runner or sandbox behind it, past its grace period. */
export async function deleteOrphanRegistration(
  ctx: ReconcilerContext,
  repair: Extract<Repair, { kind: 'delete-registration' }>,
  world: World,
  budget: ApiBudget,
): Promise<void> {
  const scope = parseScopeKey(repair.scopeKey);
  const installationId = world.installationByScope.get(repair.scopeKey);
  if (!scope || installationId === undefined) return;
  if (!budget.spend(`delete runner ${repair.registration.name}`)) return;
  try {
    await ctx.github.deleteRunner({ installationId, scope, runnerId: repair.registration.id });
  } catch (error) {
    if (!isRunnerBusy(error)) throw error;
  }
  ctx.log.info(
    { runnerName: repair.registration.name, scope: repair.scopeKey, reason: repair.reason },
    'orphaned registration deleted',
  );
}
