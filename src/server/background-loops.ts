import type { Config } from '../config/config.js';
import type { RunnerGroupGuard } from '../reconciler/runner-group-guard.js';
import type { LeaderParts } from './leader-term.js';
import type { BackgroundLoop } from './lifecycle.js';

/**
 * The leader's background loops, in start order (stopped in reverse): the controller plans on
 * demand (webhooks, exits, finished actions and other replicas' signals wake it); the reconciler
 * compares GitHub and Modal with the ledger every interval (its first pass ran as the term
 * began, before any plan); the runner group guard holds the group to the repository policy
 * (and keeps it in step with RUNNER_GROUP_SYNC); with classes that have `cache`, the cache
 * cleanup enforces their size caps and time-to-live.
 */
export function leaderLoops(
  parts: LeaderParts,
  runnerGroupGuard: RunnerGroupGuard,
  config: Config,
  jobRecords?: { tick(): Promise<unknown> },
  cacheCleanup?: { tick(): Promise<unknown> },
): BackgroundLoop[] {
  const loops: BackgroundLoop[] = [
    {
      name: 'controller',
      start: () => parts.controller.wake(),
      stop: () => parts.controller.stop(),
    },
    {
      name: 'exit-watch',
      intervalMs: config.timings.exitWatchIntervalMs,
      tick: () => parts.controller.watchExits(),
    },
    {
      name: 'reconciler',
      intervalMs: config.timings.reconcileIntervalMs,
      skipFirstTick: true,
      tick: () => parts.reconciler.tick(),
    },
    {
      name: 'runner-group',
      intervalMs: config.timings.reconcileIntervalMs,
      tick: () => runnerGroupGuard.check(),
    },
    // The job each sandbox ran, from its runner's job hook, into its tags.
    ...(jobRecords
      ? [
          {
            name: 'job-records',
            intervalMs: config.timings.jobRecords.intervalMs,
            skipFirstTick: true,
            tick: () => jobRecords.tick(),
          },
        ]
      : []),
  ];
  if (cacheCleanup) {
    loops.push({
      name: 'cache-cleanup',
      intervalMs: config.timings.cacheCleanupIntervalMs,
      tick: () => cacheCleanup.tick(),
    });
  }
  return loops;
}

/**
 * Loops every replica runs, leader or not: the status history samples the chart; the runner
 * version asks GitHub for the newest runner (daily) and builds its image (RUNNER_VERSION=latest),
 * so that a replica that becomes leader already launches the current one.
 */
export function replicaLoops(
  status: { sample(): Promise<void> },
  config: Config,
  runnerVersion?: { tick(): Promise<void> },
): BackgroundLoop[] {
  return [
    {
      name: 'status-history',
      intervalMs: config.timings.statusSampleMs,
      tick: () => status.sample(),
    },
    ...(runnerVersion
      ? [
          {
            name: 'runner-version',
            intervalMs: config.timings.runnerVersion.retryMs,
            tick: () => runnerVersion.tick(),
          },
        ]
      : []),
  ];
}
