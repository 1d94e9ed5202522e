import type { Config } from '../config/config.js';
import type { Services } from './build-services.js';
import type { BackgroundLoop } from './lifecycle.js';

/**
 * The server's background loops, in start order (stopped in reverse): the controller plans on
 * demand (webhooks, exits and finished actions wake it); the reconciler compares GitHub and
 * Modal with the ledger every interval; the runner group guard holds the group to the repository
 * policy (and keeps it in step with RUNNER_GROUP_SYNC); the status history samples the chart.
 */
export function backgroundLoops(services: Services, config: Config): BackgroundLoop[] {
  return [
    {
      name: 'controller',
      start: () => services.controller.wake(),
      stop: () => services.controller.stop(),
    },
    {
      name: 'exit-watch',
      intervalMs: config.timings.exitWatchIntervalMs,
      tick: () => services.controller.watchExits(),
    },
    {
      name: 'reconciler',
      intervalMs: config.timings.reconcileIntervalMs,
      tick: () => services.reconciler.tick(),
    },
    {
      name: 'runner-group',
      intervalMs: config.timings.reconcileIntervalMs,
      tick: () => services.runnerGroupGuard.check(),
    },
    {
      name: 'status-history',
      intervalMs: config.timings.statusSampleMs,
      tick: () => services.status.sample(),
    },
  ];
}
