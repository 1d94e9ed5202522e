import type { Logger } from 'pino';
import type { RunnerClass } from '../config/runner-class.js';
import type { Clock } from '../domain/clock.js';
import type { CacheVolumeCalls } from '../modal/cache-volume-calls.js';
import { cachedClasses } from './cache-volume.js';
import { planCachePrune, type PruneDecision } from './plan-cache-prune.js';

export interface CacheCleanupDeps {
  readonly calls: CacheVolumeCalls;
  readonly classes: ReadonlyMap<string, RunnerClass>;
  readonly deploymentId: string;
  readonly clock: Clock;
  readonly log: Pick<Logger, 'info' | 'warn'>;
}

/** What one pass did to one class's volume. */
export interface CacheCleanupResult {
  readonly runnerClass: string;
  readonly volumeName: string;
  readonly exists: boolean;
  readonly removed: readonly PruneDecision[];
  readonly keptBytes: number;
}

/**
 * The periodic cleanup of the classes' cache volumes: per class with `cache`, list the
 * generations, decide with the pure `planCachePrune` (TTL, size cap, superseded, abandoned)
 * and remove what it says. One class failing does not stop the others; the error is logged.
 */
export function createCacheCleanup(deps: CacheCleanupDeps): {
  tick(): Promise<CacheCleanupResult[]>;
} {
  async function cleanOne(runnerClass: RunnerClass, volumeName: string) {
    const cache = runnerClass.cache;
    const volumeId = await deps.calls.find(volumeName);
    if (!cache || volumeId === undefined) {
      return {
        runnerClass: runnerClass.name,
        volumeName,
        exists: false,
        removed: [],
        keptBytes: 0,
      };
    }
    const entries = await deps.calls.listGenerations(volumeId);
    const plan = planCachePrune(entries, cache, deps.clock.now());
    for (const decision of plan.remove) {
      await deps.calls.removeGeneration(volumeId, decision.name);
    }
    if (plan.remove.length > 0) {
      deps.log.info(
        {
          runnerClass: runnerClass.name,
          volumeName,
          removed: plan.remove,
          keptBytes: plan.keptBytes,
        },
        'cache cleanup removed generations',
      );
    }
    return {
      runnerClass: runnerClass.name,
      volumeName,
      exists: true,
      removed: plan.remove,
      keptBytes: plan.keptBytes,
    };
  }

  return {
    async tick() {
      const results: CacheCleanupResult[] = [];
      for (const { runnerClass, volumeName } of cachedClasses(deps.classes, deps.deploymentId)) {
        try {
          results.push(await cleanOne(runnerClass, volumeName));
        } catch (error) {
          deps.log.warn(
            { err: error, runnerClass: runnerClass.name, volumeName },
            'cache cleanup failed for this class; it is tried again next interval',
          );
        }
      }
      return results;
    },
  };
}
