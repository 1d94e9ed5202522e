import type { Logger } from 'pino';
import { Probot, Server } from 'probot';
import type { ModalClient } from 'modal';
import { createApp } from './app.js';
import type { Config } from './config/config.js';
import { createController, type Controller } from './controller/controller.js';
import { systemClock, type Clock, type SandboxPlatform } from './controller/ports.js';
import { AppOctokit } from './github/app-octokit.js';
import { createGitHubRunnerRegistry } from './github/github-runner-registry.js';
import { createJitRateLimiter } from './github/jit-rate-limiter.js';
import { createHealthHandler } from './http/health-handler.js';
import type { Ledger } from './ledger/ledger.js';
import { createMemoryLedger } from './ledger/memory-ledger.js';
import { createModalSandboxPlatform } from './modal/modal-sandbox-platform.js';

export interface RunningServer {
  readonly server: Server;
  readonly url: string;
  readonly controller: Controller;
  readonly ledger: Ledger;
  stop(): Promise<void>;
}

export interface StartOptions {
  readonly config: Config;
  readonly log: Logger;
  readonly modalClient: ModalClient;
  readonly clock?: Clock;
  readonly ledger?: Ledger;
  readonly webhookProxyUrl?: string | undefined;
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
  const ledger = options.ledger ?? createMemoryLedger();
  const platform: SandboxPlatform = createModalSandboxPlatform({
    client: options.modalClient,
    appName: config.modal.appName,
    runnerVersion: config.runners.version,
    defaultTimeoutMinutes: config.runners.sandboxTimeoutMinutes,
    ...(config.modal.environment ? { environment: config.modal.environment } : {}),
  });
  const registry = createGitHubRunnerRegistry({
    getOctokit: (installationId) => github.auth(installationId),
    limiter: createJitRateLimiter({ ratePerSecond: config.limits.jitRatePerSecond, clock }),
    clock,
    log: log.child({ name: 'github' }),
  });
  const controller = createController({
    ledger,
    registry,
    platform,
    classes: config.runners.classes,
    maxRunners: config.limits.maxRunners,
    maxConcurrentLaunches: config.limits.maxConcurrentLaunches,
    runnerGroupId: config.runners.groupId,
    clock,
    log: log.child({ name: 'controller' }),
  });
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
      httpHandlers: [createHealthHandler()],
    }),
  );
  await server.start();
  // Jobs recorded before a restart are picked up at once.
  controller.wake();
  return {
    server,
    url: `http://${server.host}:${server.port}`,
    controller,
    ledger,
    async stop() {
      await server.stop();
      await controller.stop();
      await ledger.close();
      options.modalClient.close();
    },
  };
}
