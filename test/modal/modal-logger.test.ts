import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from '@jest/globals';
import type { ModalClient } from 'modal';
import { ClientError, Status } from 'nice-grpc-common';
import { createModalClient } from '../../src/modal/modal-client.js';
import { createModalLogger, fieldsOf, modalLogLevelFor } from '../../src/modal/modal-logger.js';
import { createModalSandboxPlatform } from '../../src/modal/modal-sandbox-platform.js';
import { FakeModal } from '../../sim/modal/fake-modal.js';
import { pathsContaining } from '../../sim/paths-containing.js';

interface Line {
  readonly level: string;
  readonly obj: Record<string, unknown>;
  readonly msg: string;
}

function captureLogger(level: string) {
  const lines: Line[] = [];
  const at =
    (name: string) =>
    (obj: Record<string, unknown>, msg: string): void => {
      lines.push({ level: name, obj, msg });
    };
  return {
    lines,
    logger: { level, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') },
  };
}

describe('createModalLogger', () => {
  it('turns the SDK key/value arguments into pino fields', () => {
    const { lines, logger } = captureLogger('debug');
    const adapter = createModalLogger(logger);
    adapter.debug('Created Sandbox', 'sandbox_id', 'sb-1');
    adapter.warn(
      'Retryable failure',
      'error',
      new ClientError('/p/M', Status.UNAVAILABLE, 'down'),
      'retries',
      2,
    );
    adapter.info('odd', 'key', 'value', 'dangling');
    expect(lines).toEqual([
      { level: 'debug', obj: { sandbox_id: 'sb-1' }, msg: 'Created Sandbox' },
      {
        level: 'warn',
        obj: {
          error: {
            type: 'ClientError',
            message: '/p/M UNAVAILABLE: down',
            code: Status.UNAVAILABLE,
            details: 'down',
          },
          retries: 2,
        },
        msg: 'Retryable failure',
      },
      { level: 'info', obj: { key: 'value', extra: 'dangling' }, msg: 'odd' },
    ]);
  });

  it('keeps an empty field object for a bare message', () => {
    expect(fieldsOf([])).toEqual({});
  });

  it.each([
    ['trace', 'debug'],
    ['debug', 'debug'],
    ['info', 'info'],
    ['warn', 'warn'],
    ['error', 'error'],
    ['fatal', 'error'],
    ['silent', 'error'],
    [undefined, 'warn'],
  ])('pino level %s → SDK level %s', (pino, sdk) => {
    expect(modalLogLevelFor(pino)).toBe(sdk);
  });
});

describe('createModalClient', () => {
  const saved = { ...process.env };
  let fake: FakeModal;
  let client: ModalClient;

  afterEach(() => {
    fake.close();
    client.close();
    process.env = { ...saved };
  });

  it('logs the SDK through pino at debug, without the JIT config', async () => {
    process.env.MODAL_TOKEN_ID = 'ak-fromenv';
    process.env.MODAL_TOKEN_SECRET = 'as-fromenv';
    process.env.MODAL_ENVIRONMENT = 'from-env';
    fake = new FakeModal();
    const { lines, logger } = captureLogger('debug');
    client = createModalClient({ logger, grpcMiddleware: [fake.middleware] });
    client.profile.sandboxV2 = true;
    const platform = createModalSandboxPlatform({
      client,
      appName: 'runners',
      runnerVersion: '2.330.0',
      defaultTimeoutMinutes: 60,
    });
    const jit = randomBytes(600).toString('base64');
    const { sandboxId } = await platform.createSandbox({
      name: 'modal-modal-abc',
      runnerClass: { name: 'modal', cpu: 2, memoryMiB: 8192 },
      tags: { managedBy: 'test', runnerClass: 'modal', runnerName: 'modal-modal-abc', warm: false },
    });
    // A GPU (V1) sandbox takes its config through the control plane, which the SDK logs.
    const gpu = await platform.createSandbox({
      name: 'modal-gpu-abc',
      runnerClass: { name: 'modal-gpu', cpu: 2, memoryMiB: 8192, gpu: 'T4' },
      tags: {
        managedBy: 'test',
        runnerClass: 'modal-gpu',
        runnerName: 'modal-gpu-abc',
        warm: false,
      },
    });
    await platform.deliverConfig(gpu.sandboxId, jit);
    expect(fake.stdinOf(gpu.sandboxId)?.text).toBe(`${jit}\n`);

    expect(client.profile).toMatchObject({ tokenId: 'ak-fromenv', environment: 'from-env' });
    expect(fake.requests('AppGetOrCreate')).toEqual([
      { appName: 'runners', environmentName: 'from-env', objectCreationType: 1 },
    ]);
    expect(lines).toContainEqual({
      level: 'debug',
      obj: { sandbox_id: sandboxId },
      msg: 'Created experimental V2 Sandbox',
    });
    expect(pathsContaining(lines, jit)).toEqual([]);
  });

  it('at info, the SDK debug lines are not even produced', async () => {
    process.env.MODAL_TOKEN_ID = 'ak-fromenv';
    process.env.MODAL_TOKEN_SECRET = 'as-fromenv';
    fake = new FakeModal();
    const { lines, logger } = captureLogger('info');
    client = createModalClient({ logger, grpcMiddleware: [fake.middleware] });
    await client.apps.fromName('runners', { createIfMissing: true });
    expect(lines.filter((l) => l.level === 'debug')).toEqual([]);
  });
});
