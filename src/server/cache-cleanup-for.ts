import type { ModalClient } from 'modal';
import type { Logger } from 'pino';
import type { Config } from '../config/config.js';
import type { Clock } from '../domain/clock.js';
import { createCacheCleanup } from '../cache/cache-cleanup.js';
import { modalCacheVolumeCalls } from '../modal/cache-volume-calls.js';
import { cachedClasses } from '../cache/cache-volume.js';

/** The server's cache cleanup over Modal, or undefined when no class has `cache`. */
export function cacheCleanupFor(
  config: Config,
  client: ModalClient,
  clock: Clock,
  log: Logger,
): ReturnType<typeof createCacheCleanup> | undefined {
  if (cachedClasses(config.runners.classes, config.deployment.id).length === 0) return undefined;
  return createCacheCleanup({
    calls: modalCacheVolumeCalls(client, config.modal.environment),
    classes: config.runners.classes,
    deploymentId: config.deployment.id,
    clock,
    log: log.child({ name: 'cache-cleanup' }),
  });
}
