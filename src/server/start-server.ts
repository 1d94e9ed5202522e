import type { Logger } from 'pino';
import { Probot, Server } from 'probot';
import type { ModalClient } from 'modal';
import { createApp } from '../app.js';
import type { Config } from '../config/config.js';
import { systemClock, type Clock } from '../domain/clock.js';
import type { Ledger } from '../ledger/ledger.js';
import type { Leadership } from '../ports/leadership.js';
import { replicaLoops } from './background-loops.js';
import { buildServices } from './build-services.js';
import { createWebhookDoor } from '../http/webhook-door.js';
import { probotWithDoor } from './probot-with-door.js';
import { httpRoutes } from './http-routes.js';
import type { LeaderTerms } from './leader-term.js';
import { startLoops, type RunningLoops } from './lifecycle.js';
import { openStorage, type Storage } from './open-storage.js';
import { fatalAtStart, RunnerGroupPolicyError } from '../reconciler/runner-group-guard.js';
import { startWebhookProxy, type SmeeClientConstructor } from './webhook-proxy.js';

export interface RunningServer {
  readonly server: Server;
  readonly url: string;
  /** The controller of the leader term running in this process, if any. */
  readonly controller: LeaderTerms['controller'];
  readonly reconciler: LeaderTerms['reconciler'];
  readonly ledger: Ledger;
  readonly leadership: Leadership;
  stop(): Promise<void>;
}

export interface StartOptions {
  readonly config: Config;
  readonly log: Logger;
  readonly modalClient: ModalClient;
  readonly clock?: Clock;
  readonly ledger?: Ledger;
  /** Loads smee-client for WEBHOOK_PROXY_URL (tests replace it). */
  readonly loadSmeeClient?: () => Promise<SmeeClientConstructor>;
}

/**
 * The composition root's lifecycle: open the ledger, build every part once, serve HTTP, run this
 * replica's loops and campaign for leadership (a leader term recovers what the last leader left,
 * reconciles, then plans); stop in reverse. Used by `main.ts` and the tests.
 */
export async function startServer(options: StartOptions): Promise<RunningServer> {
  const { config, log } = options;
  const clock = options.clock ?? systemClock;
  for (const warning of config.warnings) {
    log.warn({ variable: warning.variable, fix: warning.fix }, warning.message);
  }
  const storage = await openStorage({
    config,
    log,
    clock,
    ...(options.ledger ? { ledger: options.ledger } : {}),
  });
  try {
    return await serve(options, storage, clock);
  } catch (error) {
    await storage.close();
    throw error;
  }
}

async function serve(
  options: StartOptions,
  storage: Storage,
  clock: Clock,
): Promise<RunningServer> {
  const { config, log } = options;
  const services = buildServices({
    config,
    log,
    clock,
    modalClient: options.modalClient,
    storage,
  });
  // Before the first webhook: a runner group that lets public repositories reach the runners
  // against ALLOW_PUBLIC_REPOS stops the start (a group GitHub cannot show now is re-checked).
  const fatal = fatalAtStart(await services.runnerGroupGuard.check());
  if (fatal.length > 0) throw new RunnerGroupPolicyError(fatal);
  const server = new Server({
    Probot: probotWithDoor(
      Probot.defaults(services.probotOptions),
      createWebhookDoor({
        path: config.github.webhookPath,
        secret: config.github.webhookSecret,
        log,
      }),
    ),
    host: config.server.host,
    port: config.server.port,
    webhookPath: config.github.webhookPath,
    log,
  });
  // /readyz reads the loops' liveness (this replica's, and its leader term's while it leads);
  // until they run it answers not ready.
  let loops: RunningLoops | undefined = undefined;
  await server.load(
    createApp({
      ledger: services.ledger,
      controller: services.terms.controller,
      clock,
      log: log.child({ name: 'webhooks' }),
      policy: {
        classes: config.runners.classes,
        allowedRepos: config.policy.allowedRepos,
        allowPublicRepos: config.policy.allowPublicRepos,
      },
      metrics: services.prometheus.metrics,
      onRefused: (refusal) => services.refusals.add(refusal),
      httpHandlers: httpRoutes(services, config, log, () =>
        loops === undefined ? undefined : [...loops.health(), ...services.terms.health()],
      ),
    }),
  );
  await server.start();
  const url = `http://${server.host}:${server.port}`;
  const proxy = config.server.webhookProxyUrl
    ? await startWebhookProxy({
        source: config.server.webhookProxyUrl,
        target: `${loopbackUrl(server.host, server.port)}${config.github.webhookPath}`,
        log: log.child({ name: 'webhook-proxy' }),
        ...(options.loadSmeeClient ? { loadClient: options.loadSmeeClient } : {}),
      })
    : undefined;
  const running = startLoops(
    replicaLoops(services.status, config, services.runnerVersion),
    log,
    clock,
  );
  loops = running;
  services.terms.start();
  return {
    server,
    url,
    controller: services.terms.controller,
    reconciler: services.terms.reconciler,
    ledger: services.ledger,
    leadership: services.leadership,
    async stop() {
      await proxy?.close();
      await server.stop();
      await services.terms.stop();
      await running.stop();
      await services.drainModal();
      await storage.close();
      options.modalClient.close();
    },
  };
}

/** The server's URL on this machine: a wildcard bind is reached through loopback. */
function loopbackUrl(host: string, port: number): string {
  if (host === '0.0.0.0') return `http://127.0.0.1:${port}`;
  if (host === '[::]') return `http://[::1]:${port}`;
  return `http://${host}:${port}`;
}
