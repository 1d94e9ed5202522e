import type { JobRecord, RunnerRecord } from '../ledger/ledger.js';

export interface PlanCaps {
  /** Live sandboxes across all classes. */
  readonly maxRunners: number;
  /** Per-class caps; a class without an entry is bounded only by `maxRunners`. */
  readonly classMaxRunners: ReadonlyMap<string, number>;
  /** A runner not needed by any queued job is retired once it has been unneeded this long. */
  readonly idleGraceMs: number;
  /** A runner that has not come online (or taken a job) this long after launch is retired. */
  readonly bootTimeoutMs: number;
  /** Warm pools per class (classes without an entry keep none). */
  readonly warmPools?: ReadonlyMap<string, WarmPool>;
}

export interface WarmPool {
  /** Booted sandboxes to keep waiting for a job. */
  readonly size: number;
  /**
   * A warm sandbox this old is recycled rather than used, so that a job never gets a sandbox
   * near the end of its lifetime.
   */
  readonly maxAgeMs: number;
}

export interface PlanSnapshot {
  /** Jobs in status `queued`. */
  readonly queuedJobs: readonly JobRecord[];
  /** Runners in a live state. */
  readonly runners: readonly RunnerRecord[];
  /** Runners with an action already in flight; the plan leaves them alone. */
  readonly inFlight: ReadonlySet<string>;
}

export type Action =
  /** Launch a runner for the job: in a warm sandbox when `warm` is set, else a new one. */
  | { readonly kind: 'launch'; readonly job: JobRecord; readonly warm?: RunnerRecord }
  /** Boot a sandbox for the class's warm pool. */
  | { readonly kind: 'warm'; readonly runnerClass: string }
  /** Shut down the sandbox of a runner whose job completed. */
  | { readonly kind: 'terminate'; readonly runner: RunnerRecord; readonly reason: string }
  /** Delete the registration of a runner nobody needs, then its sandbox. */
  | { readonly kind: 'retire'; readonly runner: RunnerRecord; readonly reason: string };

/**
 * Why an uncovered job gets no launch: the caps or its backoff (decided by the plan), or an
 * upstream whose circuit breaker is open (decided when the launch would be dispatched).
 */
export type WaitReason = 'cap' | 'class-cap' | 'backoff' | 'github-down' | 'modal-down';

export interface Plan {
  readonly actions: readonly Action[];
  /** Uncovered jobs that get no launch this time, and why. */
  readonly waiting: ReadonlyMap<number, WaitReason>;
  /**
   * MAX_RUNNERS is reached and no warm sandbox is left: another queued job could not launch
   * before something changes (a runner ends, an action finishes).
   */
  readonly saturated: boolean;
}
