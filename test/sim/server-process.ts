import { fork, type ChildProcess } from 'node:child_process';

/** The real server in a process of its own (sim/sim-server-main.ts), its output kept. */
export interface ServerChild {
  readonly process: ChildProcess;
  readonly output: string[];
}

/** Forks the server with `env` added and waits until it listens (it says so over IPC). */
export async function startServerProcess(env: Record<string, string>): Promise<ServerChild> {
  const output: string[] = [];
  const child = fork('sim/sim-server-main.ts', [], {
    execArgv: ['--import', 'tsx'],
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  child.stdout?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`server did not start:\n${output.join('')}`)),
      20_000,
    );
    child.once('message', () => {
      clearTimeout(timer);
      resolve();
    });
    child.once('exit', (code) =>
      reject(new Error(`server exited with ${code}:\n${output.join('')}`)),
    );
  });
  return { process: child, output };
}
