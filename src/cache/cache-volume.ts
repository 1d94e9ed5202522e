import type { RunnerClass } from '../config/runner-class.js';
import { deploymentTag } from '../domain/runner-name.js';

/** Where a cached class's volume is mounted in the sandbox (never / , /root or /tmp: Modal refuses those). */
export const CACHE_MOUNT_PATH = '/mnt/modal-github-runner-cache';

/**
 * The runner's own cache directory, restored from the volume at boot: the job's tool cache and
 * package caches live under it (on the sandbox's disk, so a job never writes into the volume).
 */
export const CACHE_DIR = '/home/runner/_warm-cache';

/**
 * The Modal Volume of a class's cache: one per deployment and class, `ghr-cache-<deployment
 * tag>-<class>`. The tag is the six hex digits that also mark the deployment's runner names, so
 * two deployments sharing a Modal environment never share a cache. At most 49 characters of
 * letters, digits, "-", "." and "_" (class names are at most 32 of those): within Modal's rules
 * for names (fewer than 64 characters of that alphabet).
 */
export function cacheVolumeName(deploymentId: string, className: string): string {
  return `ghr-cache-${deploymentTag(deploymentId)}-${className}`;
}

/**
 * The environment that points the job's caches into CACHE_DIR (the runner passes its
 * environment on to every step): the Actions tool cache (setup-node, setup-python…), npm, pip,
 * Yarn and anything that follows XDG_CACHE_HOME.
 */
export const CACHE_ENV: Readonly<Record<string, string>> = {
  RUNNER_TOOL_CACHE: `${CACHE_DIR}/toolcache`,
  AGENT_TOOLSDIRECTORY: `${CACHE_DIR}/toolcache`,
  npm_config_cache: `${CACHE_DIR}/npm`,
  // npm writes a debug log per command into its cache by default: keep those out of it.
  npm_config_logs_dir: '/tmp/npm-logs',
  PIP_CACHE_DIR: `${CACHE_DIR}/pip`,
  YARN_CACHE_FOLDER: `${CACHE_DIR}/yarn`,
  XDG_CACHE_HOME: `${CACHE_DIR}/xdg`,
};

/** The classes that have a cache, with their volume's name. */
export function cachedClasses(
  classes: ReadonlyMap<string, RunnerClass>,
  deploymentId: string,
): { readonly runnerClass: RunnerClass; readonly volumeName: string }[] {
  return [...classes.values()]
    .filter((c) => c.cache !== undefined)
    .map((runnerClass) => ({
      runnerClass,
      volumeName: cacheVolumeName(deploymentId, runnerClass.name),
    }));
}
