import { canTakeJob } from '../domain/runner-state.js';
import type { PlanCaps, PlanSnapshot, WaitReason } from './plan.js';

/**
 * When the plan's time-based decisions next change, so that the controller is woken then even if
 * no webhook comes: a job's backoff ending, a spare runner's idle grace or a booting runner's
 * boot timeout passing, a warm sandbox growing too old. Undefined when nothing is pending. Pure.
 */
export function nextDecisionAt(
  snapshot: PlanSnapshot,
  caps: PlanCaps,
  now: number,
  waiting: ReadonlyMap<number, WaitReason>,
): number | undefined {
  let next = Number.POSITIVE_INFINITY;
  const consider = (at: number) => {
    if (at > now && at < next) next = at;
  };
  for (const job of snapshot.queuedJobs) {
    if (waiting.get(job.id) === 'backoff') consider(job.nextAttemptAt);
  }
  for (const runner of snapshot.runners) {
    if (snapshot.inFlight.has(runner.name)) continue;
    if (runner.state === 'warm') {
      const pool = caps.warmPools?.get(runner.runnerClass);
      if (pool !== undefined) consider(runner.createdAt + pool.maxAgeMs);
    } else if (canTakeJob(runner.state) && runner.state !== 'launching') {
      const graceEnds = runner.updatedAt + caps.idleGraceMs;
      consider(graceEnds);
      if (runner.state === 'booting') {
        consider(Math.max(runner.createdAt + caps.bootTimeoutMs, graceEnds));
      }
    }
  }
  return Number.isFinite(next) ? next : undefined;
}
