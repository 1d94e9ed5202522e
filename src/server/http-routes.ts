import type { Logger } from 'pino';
import type { ApplicationFunction } from 'probot';
import type { Config } from '../config/config.js';
import type { Clock } from '../domain/clock.js';
import { errorFields } from '../domain/error-fields.js';
import { translateGitHubError } from '../github/github-error.js';
import { createHealthHandler } from '../http/health-handler.js';
import { createReadinessHandler } from '../http/readiness-handler.js';
import { createStatusHandler } from '../http/status-handler.js';
import { translateModalError } from '../modal/modal-error.js';
import type { Services } from './build-services.js';

export type HttpHandler = Parameters<Parameters<ApplicationFunction>[1]['addHandler']>[0];

/** The routes beside the webhook: health, status, readiness and metrics. */
export function httpRoutes(
  services: Services,
  config: Config,
  clock: Clock,
  log: Logger,
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
      clock,
      about: () => ({ replica: services.leadership.info() }),
      probes: {
        ledger: async () => {
          await services.ledger.getMeta('readyz');
        },
        github: async () => {
          try {
            await (await services.appOctokit()).request('GET /app');
          } catch (error) {
            throw translateGitHubError('get-app', error);
          }
        },
        modal: async () => {
          try {
            await services.modalClient.apps.fromName(config.modal.appName, {
              createIfMissing: true,
              ...(config.modal.environment ? { environment: config.modal.environment } : {}),
            });
          } catch (error) {
            throw translateModalError('lookup-app', error);
          }
        },
      },
    }),
    services.prometheus.handler,
  ];
}
