import type { ControllerSettings } from '../../src/controller/controller-context.js';

/** Controller settings for unit tests: short retries, no waiting on real time. */
export function controllerSettings(
  overrides: Partial<ControllerSettings> = {},
): ControllerSettings {
  return {
    maxRunners: 10,
    maxConcurrentLaunches: 4,
    runnerGroupId: 1,
    managedBy: 'modal-github-runner',
    retryPolicy: { attempts: 3, baseDelayMs: 1, maxDelayMs: 2 },
    launchBackoff: { baseDelayMs: 1_000, maxDelayMs: 10_000 },
    circuitBreaker: { threshold: 3, baseOpenMs: 1_000, maxOpenMs: 10_000 },
    idleGraceMs: 60_000,
    bootTimeoutMs: 300_000,
    sandboxTimeoutMinutes: 60,
    warmMaxAgeMs: 30 * 60_000,
    exitWatchLagMs: 0,
    ...overrides,
  };
}
