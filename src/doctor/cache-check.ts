import type { CacheVolumeCalls } from '../modal/cache-volume-calls.js';
import { modalCacheVolumeCalls } from '../modal/cache-volume-calls.js';
import { cachedClasses } from '../cache/cache-volume.js';
import { planCachePrune, publishedBytes } from '../cache/plan-cache-prune.js';
import type { RunnerClass } from '../config/runner-class.js';
import { result, type CheckResult } from './check-result.js';
import type { DoctorCheck } from './doctor-context.js';

const GIB = 1024 ** 3;
const gib = (bytes: number) => `${(bytes / GIB).toFixed(2)} GiB`;

/** The cache volumes of the classes with `cache` (looked up, never created). */
export const cacheCheck: DoctorCheck = {
  topic: 'cache volumes',
  section: 'Modal',
  lane: 'modal',
  async run(ctx) {
    if (cachedClasses(ctx.config.runners.classes, ctx.config.deployment.id).length === 0) {
      return [result.pass('Modal', 'cache volumes', 'no runner class has a cache')];
    }
    const client = ctx.modalClient(ctx.config);
    try {
      return await checkCacheVolumes(
        modalCacheVolumeCalls(client, ctx.config.modal.environment),
        ctx.config.runners.classes,
        ctx.config.deployment.id,
        ctx.now(),
      );
    } finally {
      client.close();
    }
  },
};

/**
 * One line per cached class: the volume exists (its generations and their size against the
 * class's cap, from the sizes recorded at publish) or will be created by the first launch.
 */
export async function checkCacheVolumes(
  calls: CacheVolumeCalls,
  classes: ReadonlyMap<string, RunnerClass>,
  deploymentId: string,
  now: number,
): Promise<CheckResult[]> {
  const lines: string[] = [];
  const failures: string[] = [];
  for (const { runnerClass, volumeName } of cachedClasses(classes, deploymentId)) {
    const cache = runnerClass.cache;
    if (!cache) continue;
    try {
      const volumeId = await calls.find(volumeName);
      if (volumeId === undefined) {
        lines.push(`${runnerClass.name}: ${volumeName} will be created by the first launch`);
        continue;
      }
      const entries = await calls.listGenerations(volumeId);
      const plan = planCachePrune(entries, cache, now);
      lines.push(
        `${runnerClass.name}: ${volumeName} exists, ${entries.length} entr${entries.length === 1 ? 'y' : 'ies'}, ` +
          `${gib(publishedBytes(entries))} published of a ${cache.sizeGiB} GiB cap, ttl ${cache.ttlDays} days` +
          (plan.current ? `; runners restore ${plan.current}` : '; no generation yet') +
          (plan.remove.length > 0 ? `; the cleanup will remove ${plan.remove.length}` : ''),
      );
    } catch (error) {
      failures.push(`${runnerClass.name}: ${(error as Error).message}`);
    }
  }
  if (failures.length > 0) {
    return [
      result.fail(
        'Modal',
        'cache volumes',
        `${failures.length} cache volume(s) could not be read`,
        {
          details: [...failures, ...lines],
          fix: 'check the Modal token (MODAL_TOKEN_ID / MODAL_TOKEN_SECRET) and MODAL_ENVIRONMENT; the token needs access to Volumes',
        },
      ),
    ];
  }
  return [
    result.pass('Modal', 'cache volumes', `${lines.length} cached class(es)`, { details: lines }),
  ];
}
