import { describe, expect, it } from '@jest/globals';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CACHE_DIR, CACHE_MOUNT_PATH } from '../../src/cache/cache-volume.js';
import { CACHE_STEP_SCRIPT } from '../../src/cache/cache-script.js';
import { runProcess } from '../../sim/run-cache-shell.js';
import { withCacheParams } from '../../src/modal/cache-sandbox-params.js';
import type { RunnerClass } from '../../src/config/runner-class.js';
import type { Volume } from 'modal';

const cached: RunnerClass = {
  name: 'cached',
  cpu: 2,
  memoryMiB: 4096,
  cache: { sizeGiB: 1, ttlDays: 7 },
};

/**
 * The entrypoint of a cached class, runnable here: a stand-in for the job hooks' step (a
 * job-completed hook of its own), the real `cache-restore` step, then a stand-in for the runner
 * that reads its config line from stdin as the real entrypoint does, "runs a job" that fills the
 * npm cache, and runs the job-completed hook as the runner does at the end of the job.
 */
function entrypoint(root: string, name: string): string[] {
  const jobHook = join(root, `${name}-job-completed.sh`);
  return [
    '/bin/sh',
    '-c',
    [
      `printf '%s\\n' 'echo "job hook ran as $0"' > ${jobHook}; chmod 755 ${jobHook};`,
      `export ACTIONS_RUNNER_HOOK_JOB_COMPLETED=${jobHook};`,
      CACHE_STEP_SCRIPT,
      'read -r config; echo "config=$config"; mkdir -p "$npm_config_cache";',
      'echo tarball > "$npm_config_cache/pkg-1"; sh "$ACTIONS_RUNNER_HOOK_JOB_COMPLETED"',
    ].join('\n'),
  ];
}

/** Runs the sandbox's command and environment as withCacheParams builds them, paths moved into `root`. */
async function runSandbox(root: string, name: string, stdin: string) {
  const params = withCacheParams(
    { command: entrypoint(root, name), env: { MGR_CONFIG_WAIT_SECONDS: '5' } },
    cached,
    {} as Volume,
    name,
  );
  const move = (key: string, value: string) =>
    key === 'MGR_CACHE_LIB_FILE'
      ? join(root, `${name}-lib.sh`)
      : value
          .replace(CACHE_MOUNT_PATH, join(root, 'volume'))
          .replace(CACHE_DIR, join(root, name, 'cache'));
  const env = Object.fromEntries(Object.entries(params.env ?? {}).map(([k, v]) => [k, move(k, v)]));
  return runProcess(params.command ?? [], { PATH: process.env.PATH ?? '', ...env }, stdin);
}

describe('the cached entrypoint step, run under sh', () => {
  it('restores, leaves stdin to the runner, publishes from the job-completed hook and chains the previous one', async () => {
    const root = await mkdtemp(join(tmpdir(), 'mgr-cache-cmd-'));
    try {
      const first = await runSandbox(root, 'cached-abc-1', 'the-jit-config\n');
      expect(first.code).toBe(0);
      expect(first.stdout).toContain('config=the-jit-config');
      expect(first.stderr).toContain('no generation yet; starting cold');
      expect(first.stderr).toMatch(/published g-\d+-\d+-cached-abc-1-\d+ \(1 files/);
      // The hook installed before the cache's still runs, after the publish, as itself.
      expect(first.stdout).toContain(
        `job hook ran as ${join(root, 'cached-abc-1-job-completed.sh')}`,
      );
      const [gen] = await readdir(join(root, 'volume', 'gens'));

      const second = await runSandbox(root, 'cached-abc-2', 'another-config\n');
      expect(second.stdout).toContain('config=another-config');
      expect(second.stderr).toContain(`restored ${gen}`);
      expect(second.stderr).toContain('nothing to publish');
      expect(await readFile(join(root, 'cached-abc-2', 'cache', 'npm', 'pkg-1'), 'utf8')).toBe(
        'tarball\n',
      );
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});
