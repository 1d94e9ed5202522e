import type { Logger } from 'pino';
import { Probot, Server } from 'probot';
import type { ModalClient } from 'modal';
import { createApp } from '../app.js';
import type { Config } from '../config/config.js';
import type { Controller } from '../controller/controller.js';
import { systemClock, type Clock } from '../domain/clock.js';
import type { Ledger } from '../ledger/ledger.js';
import type { Reconciler } from '../reconciler/reconciler.js';
import { backgroundLoops } from './background-loops.js';
import { buildServices } from './build-services.js';
import { createWebhookDoor } from '../http/webhook-door.js';
import { probotWithDoor } from './probot-with-door.js';
import { httpRoutes } from './http-routes.js';
import { startLoops, type RunningLoops } from './lifecycle.js';
import { recover } from './recover.js';

export interface RunningServer {
  readonly server: Server;
  readonly url: string;
  readonly controller: Controller;
  readonly reconciler: Reconciler;
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
 * The composition root's lifecycle: build every part once, serve HTTP, recover what a restart
 * left, then run the background loops; stop in reverse. Used by `main.ts` and the tests.
 */
export async function startServer(options: StartOptions): Promise<RunningServer> {
  const { config, log } = options;
  const clock = options.clock ?? systemClock;
  for (const warning of config.warnings) {
    log.warn({ variable: warning.variable, fix: warning.fix }, warning.message);
  }
  const services = buildServices({
    config,
    log,
    clock,
    modalClient: options.modalClient,
    ...(options.ledger ? { ledger: options.ledger } : {}),
  });
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
    webhookProxy: options.webhookProxyUrl,
    log,
  });
  // /readyz reads the loops' liveness; until they run (after recovery) it answers not ready.
  let loops: RunningLoops | undefined = undefined;
  await server.load(
    createApp({
      ledger: services.ledger,
      controller: services.controller,
      clock,
      policy: {
        classes: config.runners.classes,
        allowedRepos: config.policy.allowedRepos,
        allowPublicRepos: config.policy.allowPublicRepos,
      },
      metrics: services.prometheus.metrics,
      onRefused: (refusal) => services.refusals.add(refusal),
      httpHandlers: httpRoutes(services, config, log, () => loops?.health()),
    }),
  );
  await server.start();
  await recover(services);
  const running = startLoops(backgroundLoops(services, config), log, clock);
  loops = running;
  return {
    server,
    url: `http://${server.host}:${server.port}`,
    controller: services.controller,
    reconciler: services.reconciler,
    ledger: services.ledger,
    async stop() {
      await server.stop();
      await running.stop();
      await services.ledger.close();
      options.modalClient.close();
    },
  };
}
