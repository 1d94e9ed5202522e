import type { Logger } from 'pino';
import type { Clock } from '../domain/clock.js';
import type { Ledger } from '../ledger/ledger.js';
import type { Metrics } from '../ports/metrics.js';
import type { ReconcileGitHub } from '../ports/reconcile-github.js';
import type { RunnerLocks } from '../ports/runner-locks.js';
import type { SandboxPlatform } from '../ports/sandbox-platform.js';

export interface ReconcilerSettings {
  /** This deployment's identity on our sandboxes (`managed-by` tag): only those are ours. */
  readonly managedBy: string;
  /** Whether a runner registration's name is one this deployment made. */
  readonly isOurRunnerName: (name: string) => boolean;
  /** How far back the first delivery check after a start looks. */
  readonly redeliveryLookbackMs: number;
  /** GitHub calls one tick may make at most. */
  readonly apiBudget: number;
  /** Queued jobs older than this are checked against GitHub. */
  readonly staleJobMs: number;
  /** …and again after this long, doubling per check (at most an hour). */
  readonly staleJobRecheckMs: number;
  readonly sandboxListLagMs: number;
  readonly orphanRegistrationMs: number;
  /** Finished jobs and runners are forgotten after this long. */
  readonly retentionMs: number;
}

/** What the reconciler needs of the controller. */
export interface ControllerHandle {
  wake(): void;
  /** Held by whoever acts on a runner; a repair takes the runner's lock or skips it. */
  readonly locks: RunnerLocks;
}

export interface ReconcilerDeps {
  readonly ledger: Ledger;
  readonly github: ReconcileGitHub;
  readonly platform: SandboxPlatform;
  readonly controller: ControllerHandle;
  readonly clock: Clock;
  readonly log: Logger;
  readonly metrics: Metrics;
  readonly settings: ReconcilerSettings;
  /** GitHub calls left above the rate-limit reserve; undefined when unknown. */
  readonly githubCallsLeft?: (now: number) => number | undefined;
}

/** What the reconciler remembers from one tick to the next (in memory; a restart forgets it). */
export interface ReconcilerMemory {
  /** When each orphaned registration was first seen. */
  orphanSince: ReadonlyMap<string, number>;
  /** GUIDs of deliveries already redelivered. */
  readonly redelivered: Set<string>;
  /** GUIDs delivered successfully, seen so far by the delivery sweep in progress. */
  readonly sweepSucceeded: Set<string>;
  /** When each stale job was last checked against GitHub, and how many times. */
  readonly lastJobCheck: Map<number, { readonly at: number; readonly checks: number }>;
}

/** What the reconciler remembers at its start: nothing. */
export const emptyReconcilerMemory = (): ReconcilerMemory => ({
  orphanSince: new Map(),
  redelivered: new Set(),
  sweepSucceeded: new Set(),
  lastJobCheck: new Map(),
});

export interface ReconcilerContext extends ReconcilerDeps {
  readonly memory: ReconcilerMemory;
}
