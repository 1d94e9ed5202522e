import type { Logger } from 'pino';
import { Probot } from 'probot';
import type { ModalClient } from 'modal';
import type { Config } from '../config/config.js';
import { createController, type Controller } from '../controller/controller.js';
import { createRunnerLocks } from '../controller/runner-locks.js';
import type { Clock } from '../domain/clock.js';
import { deploymentTag, isRunnerNameOf, newRunnerName } from '../domain/runner-name.js';
import { AppOctokit } from '../github/app-octokit.js';
import { createGitHubObserver } from '../github/github-observer.js';
import { createGitHubRunnerRegistry } from '../github/github-runner-registry.js';
import { createJitRateLimiter } from '../github/jit-rate-limiter.js';
import { createOctokitCache } from '../github/octokit-cache.js';
import { createPrometheusMetrics, type PrometheusMetrics } from '../http/metrics.js';
import { createUpstreamHealth } from '../http/upstream-health.js';
import type { Ledger } from '../ledger/ledger.js';
import { createMemoryLedger } from '../ledger/memory-ledger.js';
import { openSqliteLedger } from '../ledger/sqlite-ledger.js';
import { createModalSandboxPlatform } from '../modal/modal-sandbox-platform.js';
import { createReconciler, type Reconciler } from '../reconciler/reconciler.js';
import { createRecentRefusals, type RecentRefusals } from '../status/recent-refusals.js';
import { createStatusHistory } from '../status/status-history.js';
import { createStatusSource, type StatusSource } from '../status/status-source.js';
import { upstreamProbes } from './upstream-probes.js';

/** Every long-lived part of the server, built once from the configuration. */
export interface Services {
  readonly probotOptions: ConstructorParameters<typeof Probot>[0] & object;
  readonly ledger: Ledger;
  readonly prometheus: PrometheusMetrics;
  readonly controller: Controller;
  readonly reconciler: Reconciler;
  readonly status: StatusSource;
  readonly refusals: RecentRefusals;
  /** The App's JWT-authenticated Octokit (one, kept). */
  readonly appOctokit: () => Promise<InstanceType<typeof AppOctokit>>;
  readonly modalClient: ModalClient;
}

export interface ServiceInputs {
  readonly config: Config;
  readonly log: Logger;
  readonly modalClient: ModalClient;
  readonly clock: Clock;
  /** A ledger made elsewhere (tests); else the one `DATA_DIR` names. */
  readonly ledger?: Ledger;
}

/** Wiring from `Config` to services: each part gets what it needs, nothing reaches for more. */
export function buildServices(inputs: ServiceInputs): Services {
  const { config, log, clock, modalClient } = inputs;
  const { timings } = config;
  const probotOptions = {
    appId: config.github.appId,
    privateKey: config.github.privateKey,
    secret: config.github.webhookSecret,
    log,
    Octokit: AppOctokit,
    ...(config.github.baseUrl ? { baseUrl: config.github.baseUrl } : {}),
  };
  const probot = new Probot(probotOptions);
  const ledger =
    inputs.ledger ??
    (config.state.dataDir === ':memory:'
      ? createMemoryLedger()
      : openSqliteLedger(config.state.dataDir));
  const upstreams = createUpstreamHealth({
    probes: upstreamProbes({
      appOctokit: () => probot.auth(),
      modalClient,
      modal: config.modal,
    }),
    clock,
  });
  const prometheus = createPrometheusMetrics({ ledger, upstreams: () => upstreams.check() });
  const { metrics } = prometheus;

  /** Every Octokit this app makes reports GitHub's remaining rate limit. */
  const observed = async (made: Promise<InstanceType<typeof AppOctokit>>) => {
    const octokit = await made;
    octokit.hook.after('request', (response) => {
      const remaining = Number(response.headers['x-ratelimit-remaining']);
      if (Number.isFinite(remaining)) metrics.githubRateLimitRemaining(remaining);
    });
    return octokit;
  };
  const installationOctokit = createOctokitCache((installationId: number) =>
    observed(probot.auth(installationId) as Promise<InstanceType<typeof AppOctokit>>),
  );
  const appOctokitCache = createOctokitCache(() =>
    observed(probot.auth() as Promise<InstanceType<typeof AppOctokit>>),
  );
  const appOctokit = () => appOctokitCache(undefined);
  const limiter = createJitRateLimiter({ ratePerSecond: config.limits.jitRatePerSecond, clock });
  const githubLog = log.child({ name: 'github' });
  const registry = createGitHubRunnerRegistry({
    getOctokit: installationOctokit,
    limiter,
    clock,
    log: githubLog,
  });
  const observer = createGitHubObserver({
    getAppOctokit: appOctokit,
    getInstallationOctokit: installationOctokit,
    limiter,
    clock,
    log: githubLog,
  });
  const platform = createModalSandboxPlatform({
    client: modalClient,
    appName: config.modal.appName,
    runnerVersion: config.runners.version,
    defaultTimeoutMinutes: config.runners.sandboxTimeoutMinutes,
    ...(config.modal.environment ? { environment: config.modal.environment } : {}),
  });
  const locks = createRunnerLocks();
  const deployment = config.deployment.id;
  const tag = deploymentTag(deployment);
  const controller = createController({
    ledger,
    registry,
    platform,
    classes: config.runners.classes,
    locks,
    clock,
    log: log.child({ name: 'controller' }),
    metrics,
    newRunnerName: (runnerClass) => newRunnerName(runnerClass, tag),
    settings: {
      maxRunners: config.limits.maxRunners,
      maxConcurrentLaunches: config.limits.maxConcurrentLaunches,
      runnerGroupId: config.runners.groupId,
      managedBy: deployment,
      retryPolicy: timings.retryPolicy,
      launchBackoff: timings.launchBackoff,
      idleGraceMs: timings.idleGraceMs,
      bootTimeoutMs: config.state.runnerBootTimeoutMs,
      sandboxTimeoutMinutes: config.runners.sandboxTimeoutMinutes,
      warmMaxAgeMs: timings.warmMaxAgeMs,
    },
  });
  const reconciler = createReconciler({
    ledger,
    github: { ...registry, ...observer },
    platform,
    controller,
    clock,
    log: log.child({ name: 'reconciler' }),
    metrics,
    settings: {
      managedBy: deployment,
      isOurRunnerName: (name) => isRunnerNameOf(name, tag),
      redeliveryLookbackMs: config.state.redeliveryLookbackMs,
      apiBudget: timings.reconcileApiBudget,
      staleJobMs: timings.staleJobMs,
      sandboxListLagMs: timings.sandboxListLagMs,
      orphanRegistrationMs: timings.orphanRegistrationMs,
      retentionMs: timings.retentionMs,
    },
  });
  const refusals = createRecentRefusals();
  const status = createStatusSource({
    ledger,
    controller,
    history: createStatusHistory(),
    refusals,
    clock,
    maxRunners: config.limits.maxRunners,
    upstreams: () => upstreams.check(),
  });
  return {
    probotOptions,
    ledger,
    prometheus,
    controller,
    reconciler,
    status,
    refusals,
    appOctokit,
    modalClient,
  };
}
