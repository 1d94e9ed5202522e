import type { Logger } from 'pino';
import type { Config } from '../config/config.js';
import { createController } from '../controller/controller.js';
import type { ControllerSettings } from '../controller/controller-context.js';
import { createRunnerLocks } from '../controller/runner-locks.js';
import type { Clock } from '../domain/clock.js';
import { isRunnerNameOf, newRunnerName } from '../domain/runner-name.js';
import type { Leadership } from '../ports/leadership.js';
import type { Metrics } from '../ports/metrics.js';
import type { SandboxPlatform } from '../ports/sandbox-platform.js';
import type { ReconcilerSettings } from '../reconciler/reconciler-context.js';
import { createReconciler } from '../reconciler/reconciler.js';
import type { GitHubServices } from './build-github.js';
import { fencedPlatform, fencedRegistry } from './fenced-calls.js';
import type { LeaderParts } from './leader-term-context.js';
import type { Storage } from './open-storage.js';

/** What every leader term is built from: the server's long-lived parts. */
export interface LeaderPartsContext {
  readonly config: Config;
  readonly log: Logger;
  readonly clock: Clock;
  readonly metrics: Metrics;
  readonly github: GitHubServices;
  readonly platform: SandboxPlatform;
  readonly storage: Storage;
  readonly leadership: Leadership;
  /** This deployment's runner-name tag. */
  readonly tag: string;
}

/** One leader term's controller and reconciler, over the term's fenced ledger and calls. */
export function buildLeaderParts(ctx: LeaderPartsContext, epoch: number): LeaderParts {
  const { config, clock, log, metrics, github, tag } = ctx;
  const termLedger = ctx.storage.termLedger(epoch);
  const fence = { epoch, holds: () => ctx.leadership.currentEpoch() === epoch };
  const registry = fencedRegistry(ctx.github.registry, fence);
  const termPlatform = fencedPlatform(ctx.platform, fence);
  const controller = createController({
    ledger: termLedger,
    registry,
    platform: termPlatform,
    classes: config.runners.classes,
    locks: createRunnerLocks(),
    clock,
    log: log.child({ name: 'controller' }),
    metrics,
    newRunnerName: (runnerClass) => newRunnerName(runnerClass, tag),
    settings: controllerSettings(config),
  });
  const reconciler = createReconciler({
    ledger: termLedger,
    github: { ...github.observer, ...registry },
    platform: termPlatform,
    controller,
    clock,
    log: log.child({ name: 'reconciler' }),
    metrics,
    githubCallsLeft: (now) => github.quota.callsLeft(now),
    settings: {
      ...reconcilerSettings(config),
      isOurRunnerName: (name) => isRunnerNameOf(name, tag),
    },
  });
  return { ledger: termLedger, controller, reconciler };
}

function controllerSettings(config: Config): ControllerSettings {
  const { timings } = config;
  return {
    maxRunners: config.limits.maxRunners,
    maxConcurrentLaunches: config.limits.maxConcurrentLaunches,
    runnerGroupId: config.runners.groupId,
    managedBy: config.deployment.id,
    retryPolicy: timings.retryPolicy,
    launchBackoff: timings.launchBackoff,
    circuitBreaker: timings.circuitBreaker,
    idleGraceMs: timings.idleGraceMs,
    bootTimeoutMs: config.state.runnerBootTimeoutMs,
    sandboxTimeoutMinutes: config.runners.sandboxTimeoutMinutes,
    warmMaxAgeMs: timings.warmMaxAgeMs,
    exitWatchLagMs: timings.exitWatchLagMs,
  };
}

function reconcilerSettings(config: Config): Omit<ReconcilerSettings, 'isOurRunnerName'> {
  const { timings } = config;
  return {
    managedBy: config.deployment.id,
    redeliveryLookbackMs: config.state.redeliveryLookbackMs,
    apiBudget: timings.reconcileApiBudget,
    staleJobMs: timings.staleJobMs,
    staleJobRecheckMs: timings.staleJobRecheckMs,
    sandboxListLagMs: timings.sandboxListLagMs,
    orphanRegistrationMs: timings.orphanRegistrationMs,
    retentionMs: timings.retentionMs,
  };
}
