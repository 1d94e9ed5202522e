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
import { httpRoutes } from './http-routes.js';
import type { LeaderTerms } from './leader-term.js';
import { startLoops } from './lifecycle.js';
import { openStorage, type Storage } from './open-storage.js';

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
  readonly webhookProxyUrl?: string | undefined;
}

/**
 * The composition root's lifecycle: open the ledger, build every part once, serve HTTP, run
 * this replica's loops and campaign for leadership (a leader term recovers, reconciles, then
 * plans); stop in reverse. Used by `main.ts` and the tests.
 */
export async function startServer(options: StartOptions): Promise<RunningServer> {
  const { config, log } = options;
  const clock = options.clock ?? systemClock;
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
  const server = new Server({
    Probot: Probot.defaults(services.probotOptions),
    host: config.server.host,
    port: config.server.port,
    webhookPath: config.github.webhookPath,
    webhookProxy: options.webhookProxyUrl,
    log,
  });
  await server.load(
    createApp({
      ledger: services.ledger,
      controller: services.terms.controller,
      clock,
      policy: {
        classes: config.runners.classes,
        allowedRepos: config.policy.allowedRepos,
        allowPublicRepos: config.policy.allowPublicRepos,
      },
      metrics: services.prometheus.metrics,
      onRefused: (refusal) => services.refusals.add(refusal),
      httpHandlers: httpRoutes(services, config, clock, log),
    }),
  );
  await server.start();
  const loops = startLoops(replicaLoops(services.status, config), log);
  services.terms.start();
  return {
    server,
    url: `http://${server.host}:${server.port}`,
    controller: services.terms.controller,
    reconciler: services.terms.reconciler,
    ledger: services.ledger,
    leadership: services.leadership,
    async stop() {
      await server.stop();
      await services.terms.stop();
      await loops.stop();
      await storage.close();
      options.modalClient.close();
    },
  };
}
