import type { SandboxInfo } from '../ports/sandbox-platform.js';
import { scopeKey } from '../domain/runner-scope.js';
import { isLive } from '../domain/runner-state.js';
import type { RunnerRecord } from '../ledger/ledger.js';
import type { Registration } from '../ports/reconcile-github.js';

export type { Registration } from '../ports/reconcile-github.js';

export interface ReconcileInput {
  readonly now: number;
  /** Every runner the ledger knows, by name (live and finished). */
  readonly runners: ReadonlyMap<string, RunnerRecord>;
  readonly inFlight: ReadonlySet<string>;
  /** Running sandboxes of this app; undefined when Modal could not be listed this time. */
  readonly sandboxes: readonly SandboxInfo[] | undefined;
  /** This deployment's registrations, per listed scope key; scopes not listed are absent. */
  readonly registrations: ReadonlyMap<string, readonly Registration[]>;
  /** When each orphaned registration was first seen (the reconciler's memory). */
  readonly orphanSince: ReadonlyMap<string, number>;
  readonly graces: {
    /** A sandbox missing from the listing this soon after the runner changed is not yet gone. */
    readonly sandboxListLagMs: number;
    /** A registration with no runner of ours is deleted after this long. */
    readonly orphanRegistrationMs: number;
  };
}

export type Repair =
  /** The runner's sandbox is gone: the runner is finished (done, or failed if it took no job). */
  | { readonly kind: 'sandbox-gone'; readonly runner: RunnerRecord }
  /** A launch that a crash interrupted: adopt its sandbox if one exists, else undo it. */
  | {
      readonly kind: 'interrupted-launch';
      readonly runner: RunnerRecord;
      readonly sandbox: SandboxInfo | undefined;
    }
  /** GitHub shows the runner online: it is idle, or busy with a job. */
  | {
      readonly kind: 'runner-status';
      readonly runner: RunnerRecord;
      readonly state: 'idle' | 'busy';
    }
  /** A live sandbox of ours that the ledger does not know, with a registration: take it back. */
  | {
      readonly kind: 'adopt-sandbox';
      readonly sandbox: SandboxInfo;
      readonly registration: Registration | undefined;
    }
  | { readonly kind: 'terminate-sandbox'; readonly sandbox: SandboxInfo; readonly reason: string }
  | {
      readonly kind: 'delete-registration';
      readonly scopeKey: string;
      readonly registration: Registration;
      readonly reason: string;
    };

export interface ReconcilePlan {
  readonly repairs: readonly Repair[];
  /** Orphaned registrations still inside their grace period, to remember until next time. */
  readonly orphanSince: ReadonlyMap<string, number>;
}

/** The world indexed for the comparisons. */
interface Index {
  readonly sandboxByName: ReadonlyMap<string, SandboxInfo>;
  readonly sandboxIds: ReadonlySet<string>;
  readonly registrationByName: ReadonlyMap<
    string,
    { readonly scopeKey: string; readonly registration: Registration }
  >;
}

/**
 * Compares what Modal and GitHub show with what the ledger says and lists the repairs. Pure:
 * runners with an action in flight are left to the controller.
 */
export function reconcilePlan(input: ReconcileInput): ReconcilePlan {
  const index = indexWorld(input);
  const orphans = orphanRegistrations(input, index);
  return {
    repairs: [...runnerRepairs(input, index), ...straySandboxes(input, index), ...orphans.repairs],
    orphanSince: orphans.orphanSince,
  };
}

function indexWorld(input: ReconcileInput): Index {
  const sandboxByName = new Map<string, SandboxInfo>();
  const sandboxIds = new Set<string>();
  for (const sandbox of input.sandboxes ?? []) {
    sandboxIds.add(sandbox.sandboxId);
    const name = sandbox.tags?.runnerName;
    if (name) sandboxByName.set(name, sandbox);
  }
  const registrationByName = new Map<string, { scopeKey: string; registration: Registration }>();
  for (const [key, list] of input.registrations) {
    for (const registration of list)
      registrationByName.set(registration.name, { scopeKey: key, registration });
  }
  return { sandboxByName, sandboxIds, registrationByName };
}

/** The ledger's live runners against both sides. */
function runnerRepairs(input: ReconcileInput, index: Index): Repair[] {
  const repairs: Repair[] = [];
  const { now, sandboxes } = input;
  for (const runner of input.runners.values()) {
    if (!isLive(runner.state) || input.inFlight.has(runner.name)) continue;
    if (runner.state === 'launching') {
      if (sandboxes !== undefined) {
        const sandbox = index.sandboxByName.get(runner.name);
        repairs.push({ kind: 'interrupted-launch', runner, sandbox });
      }
      continue;
    }
    if (
      sandboxes !== undefined &&
      (runner.sandboxId === null || !index.sandboxIds.has(runner.sandboxId)) &&
      now - runner.updatedAt >= input.graces.sandboxListLagMs
    ) {
      repairs.push({ kind: 'sandbox-gone', runner });
      continue;
    }
    const listed = input.registrations.has(scopeKey(runner.scope));
    const registration = index.registrationByName.get(runner.name)?.registration;
    if (!listed || registration?.status !== 'online') continue;
    const state = registration.busy ? 'busy' : 'idle';
    if ((runner.state === 'booting' || runner.state === 'idle') && runner.state !== state) {
      repairs.push({ kind: 'runner-status', runner, state });
    } else if (
      // Marked busy only because GitHub refused to delete it (no job event named it), and
      // GitHub shows it idle again: it is supply once more, and may be retired.
      runner.state === 'busy' &&
      runner.tookJobId === null &&
      state === 'idle' &&
      now - runner.updatedAt >= input.graces.sandboxListLagMs
    ) {
      repairs.push({ kind: 'runner-status', runner, state });
    }
  }
  return repairs;
}

/** Sandboxes the ledger does not account for: adopted when registered, else terminated. */
function straySandboxes(input: ReconcileInput, index: Index): Repair[] {
  const repairs: Repair[] = [];
  for (const sandbox of input.sandboxes ?? []) {
    const name = sandbox.tags?.runnerName;
    if (name !== undefined && input.inFlight.has(name)) continue;
    const known = name === undefined ? undefined : input.runners.get(name);
    if (known && isLive(known.state)) continue;
    const registration =
      name === undefined ? undefined : index.registrationByName.get(name)?.registration;
    if (known === undefined && name !== undefined && registration !== undefined) {
      repairs.push({ kind: 'adopt-sandbox', sandbox, registration });
    } else {
      repairs.push({
        kind: 'terminate-sandbox',
        sandbox,
        reason: known
          ? `its runner is ${known.state}`
          : 'no runner registration of ours matches it',
      });
    }
  }
  return repairs;
}

/** Registrations with no runner of ours behind them, deleted once past their grace. */
function orphanRegistrations(input: ReconcileInput, index: Index): ReconcilePlan {
  const repairs: Repair[] = [];
  const orphanSince = new Map<string, number>();
  const { now } = input;
  for (const [name, { scopeKey: key, registration }] of index.registrationByName) {
    if (input.inFlight.has(name)) continue;
    const known = input.runners.get(name);
    if (known && isLive(known.state)) continue;
    // Without Modal's listing we cannot tell an unknown registration's sandbox is gone.
    if (input.sandboxes === undefined ? known === undefined : index.sandboxByName.has(name)) {
      continue;
    }
    if (registration.busy) continue;
    const since = input.orphanSince.get(name) ?? now;
    if (now - since >= input.graces.orphanRegistrationMs) {
      repairs.push({
        kind: 'delete-registration',
        scopeKey: key,
        registration,
        reason: known ? `its runner is ${known.state}` : 'no sandbox or runner of ours behind it',
      });
    } else {
      orphanSince.set(name, since);
    }
  }
  return { repairs, orphanSince };
}
