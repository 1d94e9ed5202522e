import { generateKeyPairSync } from 'node:crypto';
import { createServer } from 'node:net';
import { Writable } from 'node:stream';
import { loadConfig, withTimings, type Config } from '../src/config/config.js';
import type { Timings } from '../src/config/timings.js';
import { createLogger } from '../src/create-logger.js';
import type { Ledger } from '../src/ledger/ledger.js';
import { startServer, type RunningServer } from '../src/server/start-server.js';
import { FakeModal, type FakeModalOptions } from './modal/fake-modal.js';
import { createFakeModalClient } from './modal/modal-client.js';
import { FakeGitHub } from './fake-github.js';

let cachedKey: string | undefined;
/** A real RSA key, so that Probot signs real App JWTs. */
export function testPrivateKey(): string {
  cachedKey ??= generateKeyPairSync('rsa', { modulusLength: 2048 })
    .privateKey.export({ type: 'pkcs1', format: 'pem' })
    .toString();
  return cachedKey;
}

export const WEBHOOK_SECRET = 'test-webhook-secret-3f9a';

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/** Every log line the server wrote, as text, to search for secrets and reasons. */
export class LogCapture {
  readonly lines: string[] = [];
  readonly stream = new Writable({
    write: (chunk: Buffer, _encoding, done) => {
      this.lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      done();
    },
  });
  get text(): string {
    return this.lines.join('\n');
  }
  parsed(): Record<string, unknown>[] {
    return this.lines.map((l) => JSON.parse(l) as Record<string, unknown>);
  }
}

export interface Harness {
  readonly github: FakeGitHub;
  readonly modal: FakeModal;
  readonly server: RunningServer;
  readonly config: Config;
  readonly logs: LogCapture;
  readonly webhookUrl: string;
  stop(): Promise<void>;
}

/**
 * The real server (real Probot, real HTTP, real `modal` SDK) wired to a loopback fake GitHub
 * and an in-process fake Modal control plane.
 */
export async function startHarness(
  options: {
    env?: Record<string, string>;
    modal?: FakeModalOptions;
    /** A fake Modal shared with another server (left running at stop). */
    sharedModal?: FakeModal;
    ledger?: Ledger;
    github?: FakeGitHub;
    timings?: Partial<Timings>;
  } = {},
): Promise<Harness> {
  const github = options.github ?? (await new FakeGitHub().start());
  const modal = options.sharedModal ?? new FakeModal(options.modal);
  const port = await freePort();
  const ghHost = new URL(github.baseUrl).host;
  const loaded = loadConfig({
    APP_ID: '12345',
    PRIVATE_KEY: testPrivateKey(),
    WEBHOOK_SECRET,
    GHE_HOST: ghHost,
    GHE_PROTOCOL: 'http',
    HOST: '127.0.0.1',
    PORT: String(port),
    LOG_LEVEL: 'debug',
    DATA_DIR: ':memory:',
    ...options.env,
  });
  const config = withTimings(loaded, {
    retryPolicy: { attempts: 5, baseDelayMs: 50, maxDelayMs: 500 },
    exitWatchIntervalMs: 200,
    exitWatchLagMs: 50,
    ...options.timings,
  });
  const logs = new LogCapture();
  const log = await createLogger({ level: 'debug', destination: logs.stream });
  const server = await startServer({
    config,
    log,
    modalClient: createFakeModalClient(modal),
    ...(options.ledger ? { ledger: options.ledger } : {}),
  });
  const webhookUrl = `${server.url}${config.github.webhookPath}`;
  github.webhookUrl = webhookUrl;
  github.webhookSecret = WEBHOOK_SECRET;
  return {
    github,
    modal,
    server,
    config,
    logs,
    webhookUrl,
    async stop() {
      await server.stop();
      if (!options.sharedModal) modal.close();
      if (!options.github) await github.stop();
    },
  };
}

/** Polls until `check` is true, failing with `message` after `timeoutMs`. */
export async function eventually(
  check: () => boolean | Promise<boolean>,
  message: string | (() => string),
  timeoutMs = 10_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) {
      throw new Error(`timed out: ${typeof message === 'function' ? message() : message}`);
    }
    await new Promise((r) => setTimeout(r, 10));
  }
}
