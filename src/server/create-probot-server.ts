import type { Logger } from 'pino';
import { Probot, Server } from 'probot';
import { createApp } from '../app.js';
import type { Config } from '../config/config.js';
import type { Clock } from '../domain/clock.js';
import { createWebhookDoor } from '../http/webhook-door.js';
import type { Services } from './build-services.js';
import { httpRoutes } from './http-routes.js';
import type { LoopLiveness } from '../http/readiness-handler.js';
import { probotWithDoor } from './probot-with-door.js';

/**
 * Probot's HTTP server with the app loaded: webhooks through the door (one signature check),
 * recorded in the ledger, and the app's own routes. `health` is the loops' liveness for
 * /readyz, undefined until they run.
 */
export async function createProbotServer(
  config: Config,
  services: Services,
  deps: { readonly log: Logger; readonly clock: Clock },
  health: () => readonly LoopLiveness[] | undefined,
): Promise<Server> {
  const { log, clock } = deps;
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
      httpHandlers: httpRoutes(services, config, log, health),
    }),
  );
  return server;
}
