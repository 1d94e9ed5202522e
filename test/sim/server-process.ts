import { fork, type ChildProcess } from 'node:child_process';
import type { FakeGitHub } from '../../sim/fake-github.js';
import { testPrivateKey, WEBHOOK_SECRET } from '../../sim/harness.js';
import { FAST } from './scenario.js';

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

/**
 * The environment of a server process against the fake GitHub and the fake Modal bridge,
 * listening on `port` with the simulator's fast timings; `extra` adds to it or overrides it.
 */
export function simServerEnv(
  github: FakeGitHub,
  listen: { readonly port: number; readonly bridgeUrl: string },
  extra: Record<string, string>,
): Record<string, string> {
  return {
    APP_ID: '12345',
    PRIVATE_KEY: testPrivateKey(),
    WEBHOOK_SECRET,
    GHE_HOST: new URL(github.baseUrl).host,
    GHE_PROTOCOL: 'http',
    HOST: '127.0.0.1',
    PORT: String(listen.port),
    LOG_LEVEL: 'info',
    LOG_FORMAT: 'json',
    FAKE_MODAL_BRIDGE_URL: listen.bridgeUrl,
    SIM_TIMINGS: JSON.stringify(FAST),
    ...extra,
  };
}

/** Sends the process `signal` and waits until it has exited. */
export async function killServerProcess(child: ServerChild, signal: NodeJS.Signals): Promise<void> {
  child.process.kill(signal);
  await new Promise((resolve) => child.process.once('exit', resolve));
}
