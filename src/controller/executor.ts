import pLimit from 'p-limit';
import type { Logger } from 'pino';
import { errorFields } from '../domain/error-fields.js';
import { isLeadershipLost } from '../domain/leadership-lost.js';
import type { RunnerLocks } from '../ports/runner-locks.js';

export type Pool = 'launch' | 'shutdown';

export interface Executor {
  /**
   * Runs `fn` in the pool for the runner whose lock the caller holds; the lock is released and
   * `onFinished` called when it ends, however it ends.
   */
  submit(pool: Pool, runnerName: string, fn: () => Promise<void>): void;
  /** A launch submitted now would start at once. */
  launchSlotFree(): boolean;
  /** Something submitted is running or waiting. */
  busy(): boolean;
  /** Resolves once nothing submitted is running or waiting. */
  settled(): Promise<void>;
}

export interface ExecutorDeps {
  /** Launches (and warm boots) at once; as many shutdowns at once, in their own pool. */
  readonly maxConcurrentLaunches: number;
  readonly locks: RunnerLocks;
  readonly log: Logger;
  /** Called after every action (the controller plans again). */
  readonly onFinished: () => void;
}

/** Carries actions out through two p-limit pools, so that shutdowns never wait behind launches. */
export function createExecutor(deps: ExecutorDeps): Executor {
  const pools = {
    launch: pLimit(deps.maxConcurrentLaunches),
    shutdown: pLimit(deps.maxConcurrentLaunches),
  };
  const tasks = new Set<Promise<void>>();
  return {
    submit(pool, runnerName, fn) {
      const task: Promise<void> = pools[pool](fn)
        .catch((error: unknown) =>
          isLeadershipLost(error)
            ? deps.log.warn(
                { runnerName, err: errorFields(error) },
                'runner action cut short: no longer leader (the new leader reconciles it)',
              )
            : deps.log.error({ runnerName, err: errorFields(error) }, 'runner action failed'),
        )
        .finally(() => {
          deps.locks.unlock(runnerName);
          tasks.delete(task);
          deps.onFinished();
        });
      tasks.add(task);
    },
    launchSlotFree: () =>
      pools.launch.activeCount + pools.launch.pendingCount < deps.maxConcurrentLaunches,
    busy: () => tasks.size > 0,
    async settled() {
      while (tasks.size > 0) await Promise.allSettled([...tasks]);
    },
  };
}
