import type { Logger } from 'pino';
import type { RunnerClass } from '../config/runner-class.js';
import type { Clock } from '../domain/clock.js';
import { errorFields } from '../domain/error-fields.js';
import type { Ledger } from '../ledger/ledger.js';
import type { Metrics } from '../ports/metrics.js';
import type { RunnerLocks } from '../ports/runner-locks.js';
import type { RunnerRegistry } from '../ports/runner-registry.js';
import type { SandboxPlatform } from '../ports/sandbox-platform.js';
import type { BreakerSettings, CircuitBreaker } from './circuit-breaker.js';
import type { Executor } from './executor.js';
import type { PlanCaps } from './plan.js';
import { withRetry, type RetryPolicy } from './retry.js';

/** What the controller's settings are, all from configuration. */
export interface ControllerSettings {
  readonly maxRunners: number;
  readonly maxConcurrentLaunches: number;
  readonly runnerGroupId: number;
  /** App name stamped on sandboxes (`managed-by` tag). */
  readonly managedBy: string;
  readonly retryPolicy: RetryPolicy;
  /** When GitHub or Modal keeps failing, launches stop and probe (see circuit-breaker.ts). */
  readonly circuitBreaker: BreakerSettings;
  /** Backoff between failed launches for one job. */
  readonly launchBackoff: { readonly baseDelayMs: number; readonly maxDelayMs: number };
  readonly idleGraceMs: number;
  readonly bootTimeoutMs: number;
  /** Sandbox lifetime of classes without `timeoutMinutes` (bounds how long warm ones wait). */
  readonly sandboxTimeoutMinutes: number;
  /** A sandbox changed this recently may be missing from Modal's listing without having exited. */
  readonly exitWatchLagMs: number;
  /** Oldest a warm sandbox may be when a job takes it (also at most a quarter of its lifetime). */
  readonly warmMaxAgeMs: number;
}

/** The controller's dependencies: passed in, never reached for. */
export interface ControllerDeps {
  readonly ledger: Ledger;
  readonly registry: RunnerRegistry;
  readonly platform: SandboxPlatform;
  readonly classes: ReadonlyMap<string, RunnerClass>;
  readonly locks: RunnerLocks;
  readonly clock: Clock;
  readonly log: Logger;
  readonly metrics: Metrics;
  readonly settings: ControllerSettings;
  /** A fresh runner name for the class, carrying this deployment's tag. */
  readonly newRunnerName: (runnerClass: string) => string;
  readonly random?: () => number;
}

/**
 * The one state object every controller function works over: the dependencies, the caps the
 * plan obeys, the executor, and a way to ask for the next plan.
 */
export interface ControllerContext extends ControllerDeps {
  readonly random: () => number;
  readonly caps: PlanCaps;
  /** One per upstream: launches stop while one is open. */
  readonly breakers: { readonly github: CircuitBreaker; readonly modal: CircuitBreaker };
  /** Asks for a plan at `at` (clock ms), for example when an open breaker may be probed. */
  readonly wakeAt: (at: number) => void;
  readonly executor: Executor;
  /** Asks for a plan soon. */
  readonly wake: () => void;
  /** True once the controller is stopping: exits seen now are left to the next start. */
  readonly stopped: () => boolean;
}

/** The upstream each retried call goes to (its breaker decides how hard to try). */
const UPSTREAM = {
  'generate-jitconfig': 'github',
  'delete-runner': 'github',
  'create-sandbox': 'modal',
  'deliver-config': 'modal',
  'terminate-sandbox': 'modal',
} as const;

export type RetriedOperation = keyof typeof UPSTREAM;

/**
 * A GitHub or Modal call, retried with backoff while its error says it may succeed later and no
 * layer below retried it already (the Modal SDK retries transient gRPC statuses itself):
 * retries are counted once. While the upstream's breaker has seen failures, the call is tried
 * once: retrying into an outage only multiplies the calls.
 */
export function callWithRetry<T>(
  ctx: Pick<ControllerContext, 'settings' | 'clock' | 'random' | 'breakers'>,
  log: Logger,
  operation: RetriedOperation,
  fn: () => Promise<T>,
): Promise<T> {
  const failing = ctx.breakers[UPSTREAM[operation]].failing();
  const policy = failing ? { ...ctx.settings.retryPolicy, attempts: 1 } : ctx.settings.retryPolicy;
  return withRetry(fn, {
    policy,
    clock: ctx.clock,
    random: ctx.random,
    onRetry: (error, attempt, delayMs) =>
      log.warn(
        { operation, attempt, delayMs, err: errorFields(error) },
        `${operation} failed; retrying`,
      ),
  });
}
