import type { RunnerClass } from '../config/runner-class.js';
import type { ControllerSettings } from './controller-context.js';
import type { PlanCaps } from './plan.js';

/** The caps `plan()` obeys, from the runner classes and the settings. Pure. */
export function planCapsFor(
  classes: ReadonlyMap<string, RunnerClass>,
  settings: ControllerSettings,
): PlanCaps {
  return {
    maxRunners: settings.maxRunners,
    classMaxRunners: new Map(
      [...classes.values()]
        .filter((c) => c.maxRunners !== undefined)
        .map((c) => [c.name, c.maxRunners as number]),
    ),
    idleGraceMs: settings.idleGraceMs,
    bootTimeoutMs: settings.bootTimeoutMs,
    warmPools: new Map(
      [...classes.values()]
        .filter((c) => (c.warmPool ?? 0) > 0)
        .map((c) => {
          // Used within the first quarter of its lifetime (and within warmMaxAgeMs), a warm
          // sandbox leaves a job at least three quarters of the sandbox timeout.
          const lifetimeMs = (c.timeoutMinutes ?? settings.sandboxTimeoutMinutes) * 60_000;
          const maxAgeMs = Math.min(settings.warmMaxAgeMs, lifetimeMs / 4);
          return [c.name, { size: c.warmPool as number, maxAgeMs }];
        }),
    ),
  };
}
