import { errorFields } from '../domain/error-fields.js';
import { ALL_RUNNER_STATES, isLive } from '../domain/runner-state.js';
import { parseScopeKey, scopeKey } from '../domain/runner-scope.js';
import type { RunnerRecord } from '../ledger/ledger.js';
import type { Registration } from '../ports/reconcile-github.js';
import type { SandboxInfo } from '../ports/sandbox-platform.js';
import type { ApiBudget } from './api-budget.js';
import type { ReconcilerContext } from './reconciler-context.js';

/** One look at Modal, GitHub and the ledger. */
export interface World {
  /** Our running sandboxes; undefined when Modal could not be listed this time. */
  readonly sandboxes: readonly SandboxInfo[] | undefined;
  /** Every runner the ledger knows, by name. */
  readonly runners: ReadonlyMap<string, RunnerRecord>;
  /** The scopes looked at, with the installation that can act in each. */
  readonly installationByScope: ReadonlyMap<string, number>;
  /** This deployment's registrations per scope listed (scopes not listed are absent). */
  readonly registrations: ReadonlyMap<string, readonly Registration[]>;
}

/**
 * Lists our sandboxes, the ledger's runners, and the registrations in every scope we may have
 * runners in (those of live runners and queued jobs, and every organization installation).
 */
export async function observeWorld(ctx: ReconcilerContext, budget: ApiBudget): Promise<World> {
  const { ledger, github, platform, log } = ctx;
  const sandboxes = await platform.list(ctx.settings.managedBy).catch((error: unknown) => {
    log.warn(
      { err: errorFields(error) },
      'could not list sandboxes; Modal repairs wait for the next tick',
    );
    return undefined;
  });
  const allRunners = await ledger.listRunners(ALL_RUNNER_STATES);
  const runners = new Map(allRunners.map((r) => [r.name, r]));

  const installationByScope = new Map<string, number>();
  for (const r of allRunners) {
    if (isLive(r.state) && r.state !== 'warm') {
      installationByScope.set(scopeKey(r.scope), r.installationId);
    }
  }
  for (const job of await ledger.listJobs(['queued'])) {
    installationByScope.set(scopeKey(job.scope), job.installationId);
  }
  if (budget.spend('list installations')) {
    try {
      for (const inst of await github.listInstallations()) {
        if (inst.kind === 'org' && !inst.suspended) {
          installationByScope.set(`org:${inst.account}`, inst.id);
        }
      }
    } catch (error) {
      log.warn({ err: errorFields(error) }, 'could not list installations');
    }
  }

  const registrations = new Map<string, readonly Registration[]>();
  for (const [key, installationId] of installationByScope) {
    const scope = parseScopeKey(key);
    if (!scope || !budget.spend(`list runners of ${key}`)) continue;
    try {
      registrations.set(
        key,
        (await github.listRunners({ installationId, scope })).filter((r) =>
          ctx.settings.isOurRunnerName(r.name),
        ),
      );
    } catch (error) {
      log.warn({ err: errorFields(error), scope: key }, 'could not list runners');
    }
  }
  return { sandboxes, runners, installationByScope, registrations };
}
