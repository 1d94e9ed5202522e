import type { SandboxCreateParams, Volume } from 'modal';
import type { RunnerClass } from '../config/runner-class.js';
import { CACHE_LIBRARY, CACHE_LIBRARY_ENV, CACHE_LIBRARY_FILE } from '../cache/cache-script.js';
import { CACHE_DIR, CACHE_ENV, CACHE_MOUNT_PATH } from '../cache/cache-volume.js';

const GIB = 1024 ** 3;

/**
 * What a cached class adds to `sandboxes.create`: the volume at CACHE_MOUNT_PATH and the cache's
 * environment (the library, where things go, the cap, the writer's unique name), which the
 * entrypoint's `cache-restore` step uses (runner-entrypoint.ts). `base` is the sandbox's
 * parameters without a cache.
 */
export function withCacheParams(
  base: SandboxCreateParams,
  runnerClass: RunnerClass,
  volume: Volume,
  writer: string,
): SandboxCreateParams {
  const cache = runnerClass.cache;
  if (!cache) return base;
  return {
    ...base,
    volumes: { ...base.volumes, [CACHE_MOUNT_PATH]: volume },
    env: {
      ...base.env,
      ...CACHE_ENV,
      MGR_CACHE_VOLUME: CACHE_MOUNT_PATH,
      MGR_CACHE_DIR: CACHE_DIR,
      MGR_CACHE_LIB_FILE: CACHE_LIBRARY_FILE,
      MGR_CACHE_MAX_BYTES: String(Math.floor(cache.sizeGiB * GIB)),
      MGR_CACHE_WRITER: writer,
      [CACHE_LIBRARY_ENV]: CACHE_LIBRARY,
    },
  };
}
