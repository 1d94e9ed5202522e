import type { RunnerLocks } from '../ports/runner-locks.js';

/** The in-process lock table: one holder per runner name. */
export function createRunnerLocks(): RunnerLocks {
  const held = new Set<string>();
  return {
    tryLock(name) {
      if (held.has(name)) return false;
      held.add(name);
      return true;
    },
    unlock(name) {
      held.delete(name);
    },
    isLocked: (name) => held.has(name),
    held: () => held,
  };
}
