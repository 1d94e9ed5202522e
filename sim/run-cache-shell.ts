import { spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { CACHE_LIBRARY } from '../src/cache/cache-script.js';

/** Where a local run keeps the library and which directories stand in for the sandbox's. */
export interface LocalCachePaths {
  /** Stands in for the volume's mount. */
  readonly volume: string;
  /** The runner's local cache directory (MGR_CACHE_DIR). */
  readonly cacheDir: string;
  /** Where the library file is written (MGR_CACHE_LIB_FILE). */
  readonly libFile: string;
}

export interface ShellResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs `script` under `sh` after sourcing the cache library, with the cache's environment set
 * as the sandbox sets it (for local runs: the tests and the bench run the real fragments).
 */
export async function runCacheShell(
  paths: LocalCachePaths,
  script: string,
  extraEnv: Readonly<Record<string, string>> = {},
): Promise<ShellResult> {
  await writeFile(paths.libFile, CACHE_LIBRARY);
  return runProcess(['sh', '-c', `. "$MGR_CACHE_LIB_FILE" && ${script}`], {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: process.env.HOME ?? '/tmp',
    MGR_CACHE_VOLUME: paths.volume,
    MGR_CACHE_DIR: paths.cacheDir,
    MGR_CACHE_LIB_FILE: paths.libFile,
    MGR_CACHE_MAX_BYTES: String(10 * 1024 ** 3),
    ...extraEnv,
  });
}

/** Runs `command` with exactly `env`, writing `stdin` (if any) to it; collects its output. */
export function runProcess(
  command: readonly string[],
  env: Readonly<Record<string, string>>,
  stdin?: string,
): Promise<ShellResult> {
  const [file = 'sh', ...args] = command;
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, {
      env: { ...env },
      stdio: [stdin === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
    if (stdin !== undefined) child.stdin?.end(stdin);
  });
}
