/**
 * Runners with an action under way (launch, termination, retirement). Whoever acts on a runner
 * holds its lock; the plan and the reconciler leave locked runners alone. Shared by the
 * controller and the reconciler through this interface only.
 */
export interface RunnerLocks {
  /** Takes the runner's lock; false when someone already holds it. */
  tryLock(runnerName: string): boolean;
  unlock(runnerName: string): void;
  isLocked(runnerName: string): boolean;
  /** The names locked right now (a live view). */
  held(): ReadonlySet<string>;
}
