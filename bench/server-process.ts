import { fork, type ChildProcess } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * The Node flags production runs the server with (the Dockerfile's CMD and `npm start`; a test
 * keeps them in step): V8 grows the heap by 20% past what survived its last full collection
 * (instead of up to 4×) and keeps the young generation at 8 MB semi-spaces, trading some CPU
 * in a burst for a lower peak RSS.
 */
export const SERVER_NODE_FLAGS: readonly string[] = [
  '--heap-growing-percent=20',
  '--max-semi-space-size=8',
];

export interface ServerProcess {
  readonly child: ChildProcess;
  readonly pid: number;
  /** The first IPC message the process sent (it sends one once it listens). */
  readonly ready: unknown;
  /** The last lines the server wrote (for diagnostics). */
  tail(): string;
  /** The server's `process.memoryUsage()`, when it answers `{ usage: true }` over IPC. */
  memory(): Promise<NodeJS.MemoryUsage | undefined>;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves once it has exited. */
  stop(graceMs?: number): Promise<void>;
}

/**
 * Forks `script` (compiled JavaScript with plain node, like production's `node dist/main.js`;
 * TypeScript with tsx) and waits for its first IPC
 * message (sent once it listens). Its output goes to a temporary file (`tail()` reads its end).
 * With BENCH_CPU_PROF_DIR set, the server writes a V8 CPU profile there when it exits;
 * BENCH_SERVER_EXEC_ARGV adds Node flags to the server's command line.
 */
export async function startServerProcess(
  script: string,
  env: Record<string, string>,
  nodeFlags: readonly string[] = SERVER_NODE_FLAGS,
): Promise<ServerProcess> {
  // The server's output goes to a file, as a log collector would drain it: a pipe to this busy
  // process would fill up, and a full pipe blocks the server's synchronous stdout writes.
  // BENCH_SERVER_LOG_DIR: keep the server's log there (one file per run) instead of deleting it.
  const keptLogDir = process.env.BENCH_SERVER_LOG_DIR;
  const logDir = mkdtempSync(join(keptLogDir ?? tmpdir(), 'mgr-bench-log-'));
  const logFile = join(logDir, 'server.log');
  const logFd = openSync(logFile, 'a');
  const tail = () => {
    try {
      return readFileSync(logFile, 'utf8').split('\n').slice(-40).join('\n');
    } catch {
      return '';
    }
  };
  // BENCH_CPU_PROF_DIR: write a V8 CPU profile of the server there (open it in Chrome DevTools).
  const profileDir = process.env.BENCH_CPU_PROF_DIR;
  const child = fork(script, [], {
    execArgv: [
      ...(script.endsWith('.ts') ? ['--import', 'tsx'] : []),
      ...nodeFlags,
      ...(profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : []),
      // BENCH_SERVER_EXEC_ARGV: extra Node flags for the server, e.g. `--max-old-space-size=128`.
      ...(process.env.BENCH_SERVER_EXEC_ARGV ?? '').split(' ').filter(Boolean),
    ],
    env: { ...process.env, ...env },
    stdio: ['ignore', logFd, logFd, 'ipc'],
  });
  closeSync(logFd);
  let exited = false;
  const exit = new Promise<void>((resolve) =>
    child.once('exit', () => {
      exited = true;
      resolve();
    }),
  );
  const cleanUp = () => {
    if (keptLogDir === undefined) rmSync(logDir, { recursive: true, force: true });
  };
  const ready = await new Promise<unknown>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`${script} did not start:\n${tail()}`)),
      60_000,
    );
    child.once('message', (message) => {
      clearTimeout(timer);
      resolve(message);
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${script} exited with ${code}:\n${tail()}`));
    });
  });
  if (child.pid === undefined) throw new Error(`${script}: no pid`);
  const pid = child.pid;
  return {
    child,
    pid,
    ready,
    memory: () =>
      new Promise((resolve) => {
        const timer = setTimeout(() => {
          child.off('message', onMessage);
          resolve(undefined);
        }, 2_000);
        const onMessage = (message: unknown) => {
          const usage = (message as { usage?: NodeJS.MemoryUsage } | null)?.usage;
          if (typeof usage !== 'object') return;
          clearTimeout(timer);
          child.off('message', onMessage);
          resolve(usage);
        };
        child.on('message', onMessage);
        child.send({ usage: true });
      }),
    tail,
    async stop(graceMs = 10_000) {
      if (!exited) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
        await exit;
        clearTimeout(timer);
      }
      cleanUp();
    },
  };
}
