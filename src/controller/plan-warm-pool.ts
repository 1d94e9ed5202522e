import type { RunnerRecord } from '../ledger/ledger.js';
import type { Action, PlanCaps, PlanSnapshot } from './plan-types.js';

/** The warm sandboxes a plan can hand to jobs, and what it does about the others. */
export interface WarmPools {
  /** Stale, surplus or half-made warm sandboxes to shut down. */
  readonly recycle: readonly Action[];
  /** The oldest ready warm runner of the class, taken; undefined when none is left. */
  take(runnerClass: string): RunnerRecord | undefined;
  /** How many warm sandboxes the class's pool lacks now. */
  missing(runnerClass: string): number;
  /** Ready warm sandboxes not taken yet. */
  readyLeft(): number;
}

/**
 * Sorts the warm runners, oldest first: ready ones (booted, young enough, within the pool size)
 * can take a job; the rest are recycled. Ones in flight count toward the pool. Pure.
 */
export function warmPoolsFor(snapshot: PlanSnapshot, caps: PlanCaps, now: number): WarmPools {
  const recycle: Action[] = [];
  const ready = new Map<string, RunnerRecord[]>();
  const count = new Map<string, number>();
  const warmRunners = snapshot.runners
    .filter((r) => r.state === 'warm')
    .sort((a, b) => a.createdAt - b.createdAt);
  for (const runner of warmRunners) {
    const have = count.get(runner.runnerClass) ?? 0;
    if (snapshot.inFlight.has(runner.name)) {
      count.set(runner.runnerClass, have + 1);
      continue;
    }
    const pool = caps.warmPools?.get(runner.runnerClass);
    const reason =
      runner.sandboxId === null
        ? 'warm sandbox creation was interrupted'
        : have >= (pool?.size ?? 0)
          ? 'warm pool shrunk'
          : now - runner.createdAt >= (pool?.maxAgeMs ?? 0)
            ? 'warm sandbox recycled'
            : undefined;
    if (reason !== undefined) {
      recycle.push({ kind: 'terminate', runner, reason });
      continue;
    }
    count.set(runner.runnerClass, have + 1);
    ready.set(runner.runnerClass, [...(ready.get(runner.runnerClass) ?? []), runner]);
  }
  return {
    recycle,
    take(runnerClass) {
      const runner = ready.get(runnerClass)?.shift();
      if (runner !== undefined) count.set(runnerClass, (count.get(runnerClass) ?? 1) - 1);
      return runner;
    },
    readyLeft: () => [...ready.values()].reduce((n, list) => n + list.length, 0),
    missing: (runnerClass) =>
      Math.max(0, (caps.warmPools?.get(runnerClass)?.size ?? 0) - (count.get(runnerClass) ?? 0)),
  };
}
