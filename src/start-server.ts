import type { Logger } from 'pino';
import { Probot, Server } from 'probot';
import type { ModalClient } from 'modal';
import { createApp } from './app.js';
import type { Config } from './config/config.js';
import { createController, MANAGED_BY, type Controller } from './controller/controller.js';
import type { RetryPolicy } from './controller/retry.js';
import { systemClock, type Clock, type SandboxPlatform } from './controller/ports.js';
import { AppOctokit } from './github/app-octokit.js';
import { createGitHubObserver, deliveriesToRedeliver } from './github/github-observer.js';
import { createGitHubRunnerRegistry } from './github/github-runner-registry.js';
import { createOctokitCache } from './github/octokit-cache.js';
import { createJitRateLimiter } from './github/jit-rate-limiter.js';
import { createHealthHandler } from './http/health-handler.js';
import { createPrometheusMetrics } from './http/metrics.js';
import { createReadinessHandler } from './http/readiness-handler.js';
import { createStatusHandler } from './http/status-handler.js';
import { createRecentRefusals } from './status/recent-refusals.js';
import { createStatusHistory } from './status/status-history.js';
import { createStatusSource } from './status/status-source.js';
import { translateGitHubError } from './github/github-error.js';
import { translateModalError } from './modal/modal-error.js';
import type { Ledger } from './ledger/ledger.js';
import { createMemoryLedger } from './ledger/memory-ledger.js';
import { openSqliteLedger } from './ledger/sqlite-ledger.js';
import { createReconciler, type Reconciler } from './reconciler/reconciler.js';
import { createModalSandboxPlatform } from './modal/modal-sandbox-platform.js';

export interface RunningServer {
  readonly server: Server;
  readonly url: string;
  readonly controller: Controller;
  readonly reconciler: Reconciler;
  readonly ledger: Ledger;
  stop(): Promise<void>;
}

/** Timings that are not configuration: tests and the simulator shorten them. */
export interface Tuning {
  readonly retryPolicy?: RetryPolicy;
  readonly launchBackoff?: { readonly baseDelayMs: number; readonly maxDelayMs: number };
  readonly idleGraceMs?: number;
  readonly reconcileIntervalMs?: number;
  readonly staleJobMs?: number;
  readonly sandboxListLagMs?: number;
  readonly orphanRegistrationMs?: number;
  readonly reconcileApiBudget?: number;
  /** Mint the JIT config, then create the sandbox, instead of both at once (benchmark only). */
  readonly sequentialLaunch?: boolean;
  /** Oldest a warm sandbox may be when a job takes it (30 min). */
  readonly warmMaxAgeMs?: number;
  /** How often the status chart takes a sample (30 s). */
  readonly statusSampleMs?: number;
}

export interface StartOptions {
  readonly config: Config;
  readonly log: Logger;
  readonly modalClient: ModalClient;
  readonly clock?: Clock;
  readonly ledger?: Ledger;
  readonly webhookProxyUrl?: string | undefined;
  readonly tuning?: Tuning;
}

/**
 * Builds every part once, wires them together and starts the HTTP server. Used by `main.ts`
 * and, with fakes behind the real SDK and a loopback GitHub, by the tests.
 */
export async function startServer(options: StartOptions): Promise<RunningServer> {
  const { config, log } = options;
  const clock = options.clock ?? systemClock;
  const probotOptions = {
    appId: config.github.appId,
    privateKey: config.github.privateKey,
    secret: config.github.webhookSecret,
    log,
    Octokit: AppOctokit,
    ...(config.github.baseUrl ? { baseUrl: config.github.baseUrl } : {}),
  };
  const github = new Probot(probotOptions);
  const tuning = options.tuning ?? {};
  const ledger =
    options.ledger ??
    (config.state.dataDir === ':memory:'
      ? createMemoryLedger()
      : openSqliteLedger(config.state.dataDir));
  const prometheus = createPrometheusMetrics({ ledger });
  const { metrics } = prometheus;
  /** Every Octokit this app makes reports GitHub's remaining rate limit. */
  const observed = async <
    O extends {
      hook: { after(name: 'request', fn: (r: { headers: Record<string, unknown> }) => void): void };
    },
  >(
    octokit: Promise<O>,
  ): Promise<O> => {
    const instance = await octokit;
    instance.hook.after('request', (response) => {
      const remaining = Number(response.headers['x-ratelimit-remaining']);
      if (Number.isFinite(remaining)) metrics.githubRateLimitRemaining(remaining);
    });
    return instance;
  };
  const platform: SandboxPlatform = createModalSandboxPlatform({
    client: options.modalClient,
    appName: config.modal.appName,
    runnerVersion: config.runners.version,
    defaultTimeoutMinutes: config.runners.sandboxTimeoutMinutes,
    ...(config.modal.environment ? { environment: config.modal.environment } : {}),
  });
  const installationOctokit = createOctokitCache((installationId: number) =>
    observed(github.auth(installationId)),
  );
  const appOctokit = createOctokitCache(() => observed(github.auth()));
  const limiter = createJitRateLimiter({ ratePerSecond: config.limits.jitRatePerSecond, clock });
  const registry = createGitHubRunnerRegistry({
    getOctokit: installationOctokit,
    limiter,
    clock,
    log: log.child({ name: 'github' }),
  });
  const observer = createGitHubObserver({
    getAppOctokit: () => appOctokit(undefined),
    getInstallationOctokit: installationOctokit,
    limiter,
    clock,
    log: log.child({ name: 'github' }),
  });
  const controller = createController({
    metrics,
    ledger,
    registry,
    platform,
    classes: config.runners.classes,
    maxRunners: config.limits.maxRunners,
    maxConcurrentLaunches: config.limits.maxConcurrentLaunches,
    runnerGroupId: config.runners.groupId,
    clock,
    log: log.child({ name: 'controller' }),
    bootTimeoutMs: config.state.runnerBootTimeoutMs,
    ...(tuning.retryPolicy ? { retryPolicy: tuning.retryPolicy } : {}),
    ...(tuning.launchBackoff ? { launchBackoff: tuning.launchBackoff } : {}),
    ...(tuning.idleGraceMs !== undefined ? { idleGraceMs: tuning.idleGraceMs } : {}),
    ...(tuning.sequentialLaunch ? { sequentialLaunch: true } : {}),
    sandboxTimeoutMinutes: config.runners.sandboxTimeoutMinutes,
    ...(tuning.warmMaxAgeMs !== undefined ? { warmMaxAgeMs: tuning.warmMaxAgeMs } : {}),
  });
  const reconciler = createReconciler({
    metrics,
    ledger,
    github: { ...registry, ...observer },
    platform,
    controller,
    deliveriesToRedeliver: (deliveries, already) =>
      deliveriesToRedeliver(deliveries, { event: 'workflow_job', alreadyRedelivered: already }),
    clock,
    log: log.child({ name: 'reconciler' }),
    intervalMs: tuning.reconcileIntervalMs ?? config.state.reconcileIntervalMs,
    redeliveryLookbackMs: config.state.redeliveryLookbackMs,
    managedBy: MANAGED_BY,
    ...(tuning.staleJobMs !== undefined ? { staleJobMs: tuning.staleJobMs } : {}),
    ...(tuning.sandboxListLagMs !== undefined ? { sandboxListLagMs: tuning.sandboxListLagMs } : {}),
    ...(tuning.orphanRegistrationMs !== undefined
      ? { orphanRegistrationMs: tuning.orphanRegistrationMs }
      : {}),
    ...(tuning.reconcileApiBudget !== undefined ? { apiBudget: tuning.reconcileApiBudget } : {}),
  });
  const refusals = createRecentRefusals();
  const status = createStatusSource({
    ledger,
    controller,
    history: createStatusHistory(),
    refusals,
    clock,
    maxRunners: config.limits.maxRunners,
  });
  const statusLog = log.child({ name: 'status' });
  const sampleStatus = () =>
    status
      .sample()
      .catch((error: unknown) => statusLog.warn({ err: error }, 'status sample failed'));
  const statusTimer = setInterval(sampleStatus, tuning.statusSampleMs ?? 30_000);
  statusTimer.unref();
  const server = new Server({
    Probot: Probot.defaults(probotOptions),
    host: config.server.host,
    port: config.server.port,
    webhookPath: config.github.webhookPath,
    webhookProxy: options.webhookProxyUrl,
    log,
  });
  await server.load(
    createApp({
      ledger,
      controller,
      clock,
      policy: {
        classes: config.runners.classes,
        allowedRepos: config.policy.allowedRepos,
        allowPublicRepos: config.policy.allowPublicRepos,
      },
      metrics,
      onRefused: (refusal) => refusals.add(refusal),
      httpHandlers: [
        createHealthHandler(),
        createStatusHandler({
          token: config.server.statusToken,
          snapshot: () => status.snapshot(),
          onError: (error) => statusLog.error({ err: error }, 'status page failed'),
        }),
        createReadinessHandler({
          clock,
          probes: {
            ledger: async () => {
              await ledger.getMeta('readyz');
            },
            github: async () => {
              try {
                await (await appOctokit(undefined)).request('GET /app');
              } catch (error) {
                throw translateGitHubError('get-app', error);
              }
            },
            modal: async () => {
              try {
                await options.modalClient.apps.fromName(config.modal.appName, {
                  createIfMissing: true,
                  ...(config.modal.environment ? { environment: config.modal.environment } : {}),
                });
              } catch (error) {
                throw translateModalError('lookup-app', error);
              }
            },
          },
        }),
        prometheus.handler,
      ],
    }),
  );
  await server.start();
  // After a restart: follow the sandboxes the ledger knows, plan for the jobs it holds, and
  // reconcile at once (interrupted launches, missed deliveries), then every interval.
  for (const runner of await ledger.listRunners(['booting', 'idle', 'busy', 'finishing'])) {
    if (runner.sandboxId !== null) controller.watch(runner.name, runner.sandboxId);
  }
  controller.wake();
  reconciler.start();
  void sampleStatus();
  return {
    server,
    url: `http://${server.host}:${server.port}`,
    controller,
    reconciler,
    ledger,
    async stop() {
      clearInterval(statusTimer);
      await server.stop();
      await reconciler.stop();
      await controller.stop();
      await ledger.close();
      options.modalClient.close();
    },
  };
}
