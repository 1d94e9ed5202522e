import type { Logger } from 'pino';
import type { ApplicationFunction } from 'probot';
import type { Config } from '../config/config.js';
import { errorFields } from '../domain/error-fields.js';
import { createHealthHandler } from '../http/health-handler.js';
import { createMetricsHandler } from '../http/metrics-handler.js';
import { createReadinessHandler, type LoopLiveness } from '../http/readiness-handler.js';
import { createStatusHandler } from '../http/status-handler.js';
import type { Services } from './build-services.js';

export type HttpHandler = Parameters<Parameters<ApplicationFunction>[1]['addHandler']>[0];

/** The routes beside the webhook: health, status, readiness and metrics. */
export function httpRoutes(
  services: Services,
  config: Config,
  log: Logger,
  /** The background loops' liveness; undefined until they have started. */
  loops: () => readonly LoopLiveness[] | undefined,
): HttpHandler[] {
  const statusLog = log.child({ name: 'status' });
  return [
    createHealthHandler(),
    createStatusHandler({
      token: config.server.statusToken,
      snapshot: () => services.status.snapshot(),
      onError: (error) => statusLog.error({ err: errorFields(error) }, 'status page failed'),
    }),
    createReadinessHandler({
      ledger: async () => {
        await services.ledger.getMeta('readyz');
      },
      loops,
      about: () => ({ replica: services.leadership.info() }),
    }),
    createMetricsHandler({
      registry: services.prometheus.registry,
      token: config.server.metricsToken,
    }),
  ];
}
