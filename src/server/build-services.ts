import type { Logger } from 'pino';
import type { Probot } from 'probot';
import type { ModalClient } from 'modal';
import { cacheCleanupFor } from './cache-cleanup-for.js';
import type { Config } from '../config/config.js';
import { createController } from '../controller/controller.js';
import type { ControllerSettings } from '../controller/controller-context.js';
import { createRunnerLocks } from '../controller/runner-locks.js';
import type { Clock } from '../domain/clock.js';
import { deploymentTag, isRunnerNameOf, newRunnerName } from '../domain/runner-name.js';
import { AppOctokit } from '../github/app-octokit.js';
import type { AppOctokitInstance } from '../github/app-octokits.js';
import {
  createPrometheusMetrics,
  registerUpstreamGauge,
  type PrometheusMetrics,
} from '../http/metrics.js';
import { registerLeadershipGauges } from '../http/leadership-gauges.js';
import { createUpstreamHealth } from '../http/upstream-health.js';
import type { Ledger } from '../ledger/ledger.js';
import { createModalSandboxPlatform } from '../modal/modal-sandbox-platform.js';
import type { Leadership } from '../ports/leadership.js';
import type { RunnerVersionTracker } from '../runner-version/runner-version-tracker.js';
import type { ReconcilerSettings } from '../reconciler/reconciler-context.js';
import { createReconciler } from '../reconciler/reconciler.js';
import { createRunnerGroupGuard, type RunnerGroupGuard } from '../reconciler/runner-group-guard.js';
import { createRecentRefusals, type RecentRefusals } from '../status/recent-refusals.js';
import { createStatusHistory } from '../status/status-history.js';
import { createStatusSource, type StatusSource } from '../status/status-source.js';
import { buildGitHub, type GitHubServices } from './build-github.js';
import { classPlatformOptions } from './class-platform-options.js';
import { leaderLoops } from './background-loops.js';
import { fencedPlatform, fencedRegistry } from './fenced-calls.js';
import { createLeaderTerms, type LeaderParts, type LeaderTerms } from './leader-term.js';
import type { Storage } from './open-storage.js';
import { ranJobTaggerFor } from './ran-job-tagger.js';
import { runnerVersionTrackerFor } from './runner-version-service.js';
import { upstreamProbes } from './upstream-probes.js';

/** Every long-lived part of the server, built once from the configuration. */
export interface Services {
  readonly probotOptions: ConstructorParameters<typeof Probot>[0] & object;
  /** The ledger webhooks, status and metrics use (a leader term writes through a fenced one). */
  readonly ledger: Ledger;
  readonly leadership: Leadership;
  readonly prometheus: PrometheusMetrics;
  /** The controller and the reconciler of the leader term running here, if any. */
  readonly terms: LeaderTerms;
  /** Holds the runner group to the repository policy (start and every interval). */
  readonly runnerGroupGuard: RunnerGroupGuard;
  readonly status: StatusSource;
  readonly refusals: RecentRefusals;
  /** The App's JWT-authenticated Octokit (one, kept). */
  readonly appOctokit: () => Promise<AppOctokitInstance>;
  readonly modalClient: ModalClient;
  /** Resolves once the Modal calls left running in the background have ended. */
  readonly drainModal: () => Promise<void>;
  /** The runner version launches use (RUNNER_VERSION=latest follows the newest). */
  readonly runnerVersion: RunnerVersionTracker;
}

export interface ServiceInputs {
  readonly config: Config;
  readonly log: Logger;
  readonly modalClient: ModalClient;
  readonly clock: Clock;
  /** The ledger and who leads (`open-storage.ts`). */
  readonly storage: Storage;
}

/** Wiring from `Config` to services: each part gets what it needs, nothing reaches for more. */
export function buildServices(inputs: ServiceInputs): Services {
  const { config, log, clock, modalClient } = inputs;
  const { ledger, leadership } = inputs.storage;
  const prometheus = createPrometheusMetrics({ ledger });
  registerLeadershipGauges(prometheus.registry, () => leadership.info());
  const { metrics } = prometheus;
  const github = buildGitHub(config, { clock, log, metrics });
  const upstreams = createUpstreamHealth({
    probes: upstreamProbes({ appOctokit: github.appOctokit, modalClient, modal: config.modal }),
    clock,
  });
  registerUpstreamGauge(prometheus.registry, () => upstreams.check());
  const runnerVersion = runnerVersionTrackerFor(config, { github, modalClient, clock, log });
  const platform = createModalSandboxPlatform({
    client: modalClient,
    appName: config.modal.appName,
    runnerVersion: () => runnerVersion.current(),
    defaultTimeoutMinutes: config.runners.sandboxTimeoutMinutes,
    callTimeoutMs: config.timings.modalCallTimeoutMs,
    deploymentId: config.deployment.id,
    ...(config.modal.environment ? { environment: config.modal.environment } : {}),
    ...classPlatformOptions(config, clock, log),
  });
  const tag = deploymentTag(config.deployment.id);
  /** One leader term's controller and reconciler, over the term's fenced ledger and calls. */
  const buildLeaderParts = (epoch: number): LeaderParts => {
    const termLedger = inputs.storage.termLedger(epoch);
    const fence = { epoch, holds: () => leadership.currentEpoch() === epoch };
    const registry = fencedRegistry(github.registry, fence);
    const termPlatform = fencedPlatform(platform, fence);
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
  };
  const runnerGroupGuard = runnerGroupGuardFor(config, github, clock, log);
  const cacheCleanup = cacheCleanupFor(config, modalClient, clock, log);
  const jobRecords = ranJobTaggerFor(config, { platform, modalClient, github, clock, log });
  const terms = createLeaderTerms({
    leadership,
    signal: inputs.storage.signal,
    build: buildLeaderParts,
    loops: (parts) => leaderLoops(parts, runnerGroupGuard, config, jobRecords, cacheCleanup),
    log,
    clock,
  });
  const refusals = createRecentRefusals();
  const status = createStatusSource({
    ledger,
    controller: terms.controller,
    history: createStatusHistory(),
    refusals,
    clock,
    maxRunners: config.limits.maxRunners,
    warnings: () => runnerGroupGuard.warnings(),
    upstreams: () => upstreams.check(),
    runnerVersion: () => runnerVersion.text(),
    replica: () => {
      const info = leadership.info();
      return { id: info.replicaId, leader: info.leader, isLeader: info.isLeader };
    },
  });
  return {
    probotOptions: probotOptionsFor(config, log),
    ledger,
    leadership,
    prometheus,
    terms,
    runnerGroupGuard,
    status,
    refusals,
    appOctokit: github.appOctokit,
    modalClient,
    drainModal: () => platform.drain(),
    runnerVersion,
  };
}

function runnerGroupGuardFor(
  config: Config,
  github: GitHubServices,
  clock: Clock,
  log: Logger,
): RunnerGroupGuard {
  return createRunnerGroupGuard({
    listInstallations: () => github.observer.listInstallations(),
    installationClient: github.installationOctokit,
    groupId: config.runners.groupId,
    policy: config.policy,
    sync: config.runners.groupSync,
    now: () => clock.now(),
    log: log.child({ name: 'runner-group' }),
    ...(config.github.baseUrl ? { webOrigin: new URL(config.github.baseUrl).origin } : {}),
  });
}

/**
 * Probot's own options: the webhook path verifies signatures with the App's secret. No handler
 * of this app calls GitHub through `context.octokit` (every GitHub call goes through
 * `src/github/` with the App's own auth), so Probot gets a placeholder token: it then hands each
 * event one shared, never-used Octokit instead of authenticating a new one per delivery, which
 * in a burst cost about a third of a millisecond of CPU per webhook.
 */
function probotOptionsFor(config: Config, log: Logger) {
  return {
    appId: config.github.appId,
    privateKey: config.github.privateKey,
    secret: config.github.webhookSecret,
    githubToken: 'unused: this app never calls GitHub through context.octokit',
    log,
    Octokit: AppOctokit,
    ...(config.github.baseUrl ? { baseUrl: config.github.baseUrl } : {}),
  };
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
