import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from '@jest/globals';
import type { ModalClient } from 'modal';
import { Status } from 'nice-grpc-common';
import type { RunnerClass } from '../../src/config/runner-class.js';
import { retryHintOf } from '../../src/domain/error-fields.js';
import { decodeSandboxTags } from '../../src/domain/sandbox-tags.js';
import type { SandboxSpec } from '../../src/ports/sandbox-platform.js';
import { ModalError } from '../../src/modal/modal-error.js';
import {
  createModalSandboxPlatform,
  type ModalSandboxPlatformOptions,
} from '../../src/modal/modal-sandbox-platform.js';
import { runnerCommand } from '../../src/modal/runner-image.js';
import { eventually } from '../../sim/harness.js';
import { FakeModal, type FakeModalOptions } from '../../sim/modal/fake-modal.js';
import {
  createFakeModalClient,
  type FakeModalClientOptions,
} from '../../sim/modal/modal-client.js';
import { pathsContaining } from '../../sim/paths-containing.js';

const RUNNER_VERSION = '2.330.0';
const cpuClass: RunnerClass = { name: 'modal', cpu: 2, memoryMiB: 8192 };
const gpuClass: RunnerClass = {
  name: 'modal-gpu-h100',
  cpu: 8,
  memoryMiB: 32768,
  gpu: 'H100',
  timeoutMinutes: 120,
};

/** A JIT config looks like this: kilobytes of base64. Unique per call. */
function jitConfig(): string {
  return randomBytes(900).toString('base64');
}

let counter = 0;
function spec(runnerClass: RunnerClass, overrides: Partial<SandboxSpec> = {}) {
  counter += 1;
  const name = `modal-${runnerClass.name}-${counter.toString(16).padStart(6, '0')}`;
  return {
    name,
    runnerClass,
    tags: {
      managedBy: 'modal-github-runner',
      runnerClass: runnerClass.name,
      runnerName: name,
      warm: false,
    },
    ...overrides,
  } satisfies SandboxSpec;
}

let fake: FakeModal;
let client: ModalClient;

function setup(
  fakeOptions: FakeModalOptions = {},
  platformOptions: Partial<ModalSandboxPlatformOptions> = {},
  clientOptions: FakeModalClientOptions = {},
) {
  fake = new FakeModal(fakeOptions);
  client = createFakeModalClient(fake, clientOptions);
  return createModalSandboxPlatform({
    client,
    appName: 'modal-github-runner',
    runnerVersion: RUNNER_VERSION,
    defaultTimeoutMinutes: 60,
    ...platformOptions,
  });
}

/** The one request of `method`, as the SDK built it. */
function only(method: string): Record<string, unknown> {
  const requests = fake.requests(method);
  expect(requests).toHaveLength(1);
  return requests[0] as Record<string, unknown>;
}

async function rejection(promise: Promise<unknown>): Promise<ModalError> {
  const error = await promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ModalError);
  return error as ModalError;
}

afterEach(() => {
  fake.close();
  client.close();
});

describe('launch on a CPU class (V2 sandbox)', () => {
  it('sends image, resources, timeout, name, tags and command, and no secret', async () => {
    const platform = setup();
    const launch = spec(cpuClass);
    const { sandboxId } = await platform.createSandbox(launch);

    expect(fake.methods()).toEqual([
      'AuthTokenGet',
      'AppGetOrCreate',
      'EnvironmentGetOrCreate',
      'ImageGetOrCreate',
      'SandboxCreateV2',
    ]);
    expect(only('AppGetOrCreate')).toMatchObject({
      appName: 'modal-github-runner',
      environmentName: 'test',
      objectCreationType: 1, // OBJECT_CREATION_TYPE_CREATE_IF_MISSING
    });
    expect(only('ImageGetOrCreate')).toMatchObject({
      image: { dockerfileCommands: ['FROM ghcr.io/actions/actions-runner:2.330.0'] },
    });

    const create = only('SandboxCreateV2');
    const definition = create.definition as Record<string, unknown>;
    expect(definition.entrypointArgs).toEqual(runnerCommand(cpuClass));
    expect(definition.workdir).toBe('/home/runner');
    expect(definition.timeoutSecs).toBe(60 * 60);
    expect(definition.name).toBe(launch.name);
    expect(definition.resources).toMatchObject({
      milliCpu: 2000,
      memoryMb: 8192,
      gpuConfig: { count: 0, gpuType: '' },
    });
    expect(create.tags).toEqual([
      { tagName: 'managed-by', tagValue: 'modal-github-runner' },
      { tagName: 'runner-class', tagValue: 'modal' },
      { tagName: 'runner-name', tagValue: launch.name },
    ]);
    expect(create.secretSources ?? []).toEqual([]);
    expect(definition.secretIds).toEqual([]);

    const sandbox = fake.sandbox(sandboxId);
    expect(sandbox).toMatchObject({
      kind: 'v2',
      name: launch.name,
      imageTag: 'ghcr.io/actions/actions-runner:2.330.0',
      env: {},
      tags: {
        'managed-by': 'modal-github-runner',
        'runner-class': 'modal',
        'runner-name': launch.name,
      },
    });
    expect(sandbox?.stdin).toEqual({ text: '', eof: false, firstWriteAt: undefined });
  });

  it('uses the class image instead of the official one when the class has one', async () => {
    const platform = setup();
    await platform.createSandbox(
      spec({ ...cpuClass, image: 'ghcr.io/acme/runner:2.330.0-docker' }),
    );
    expect(only('ImageGetOrCreate')).toMatchObject({
      image: { dockerfileCommands: ['FROM ghcr.io/acme/runner:2.330.0-docker'] },
    });
  });

  it('looks the App up and builds each image once', async () => {
    const platform = setup();
    await Promise.all([
      platform.createSandbox(spec(cpuClass)),
      platform.createSandbox(spec(cpuClass)),
    ]);
    await platform.createSandbox(spec(cpuClass));
    expect(fake.requests('AppGetOrCreate')).toHaveLength(1);
    expect(fake.requests('SandboxCreateV2')).toHaveLength(3);
    // Two concurrent first launches may both build; later ones reuse the built image.
    const builds = fake.requests('ImageGetOrCreate').length;
    expect(builds).toBeGreaterThanOrEqual(1);
    expect(builds).toBeLessThanOrEqual(2);
    await platform.createSandbox(spec(cpuClass));
    expect(fake.requests('ImageGetOrCreate')).toHaveLength(builds);
  });

  it('does not cache a failed App lookup', async () => {
    const platform = setup();
    fake.failNext('AppGetOrCreate', Status.PERMISSION_DENIED);
    await rejection(platform.createSandbox(spec(cpuClass)));
    await expect(platform.createSandbox(spec(cpuClass))).resolves.toHaveProperty('sandboxId');
    expect(fake.requests('AppGetOrCreate')).toHaveLength(2);
  });

  it('caps the timeout at 24 hours and uses the class timeout over the default', async () => {
    const platform = setup({}, { defaultTimeoutMinutes: 5000 });
    await platform.createSandbox(spec(cpuClass));
    await platform.createSandbox(spec({ ...cpuClass, timeoutMinutes: 90 }));
    const timeouts = fake
      .requests('SandboxCreateV2')
      .map(
        (r) => ((r as Record<string, unknown>).definition as Record<string, unknown>).timeoutSecs,
      );
    expect(timeouts).toEqual([24 * 60 * 60, 90 * 60]);
  });
});

describe('launch on a GPU class (V1 sandbox)', () => {
  it('sends the gpu and waits for scheduling; no Secret, since the config comes on stdin', async () => {
    const platform = setup();
    const launch = spec(gpuClass);
    const { sandboxId } = await platform.createSandbox(launch);

    expect(fake.methods()).toEqual([
      'AuthTokenGet',
      'AppGetOrCreate',
      'EnvironmentGetOrCreate',
      'ImageGetOrCreate',
      'SandboxCreate',
      'SandboxGetTaskId',
    ]);
    const create = only('SandboxCreate');
    const definition = create.definition as Record<string, unknown>;
    expect(definition.resources).toMatchObject({
      milliCpu: 8000,
      memoryMb: 32768,
      gpuConfig: { count: 1, gpuType: 'H100' },
    });
    expect(definition.timeoutSecs).toBe(120 * 60);
    expect(definition.name).toBe(launch.name);
    expect(definition.entrypointArgs).toEqual(runnerCommand(gpuClass));
    expect(definition.secretIds).toEqual([]);
    expect(create.tags).toContainEqual({ tagName: 'runner-class', tagValue: 'modal-gpu-h100' });
    expect(only('ImageGetOrCreate')).toMatchObject({
      image: { dockerfileCommands: ['FROM ghcr.io/actions/actions-runner:2.330.0'] },
    });
    expect(only('SandboxGetTaskId')).toMatchObject({ sandboxId });
    expect(fake.sandbox(sandboxId)).toMatchObject({ kind: 'v1', gpu: 'H100', env: {} });
  });

  it('sends a GPU count', async () => {
    const platform = setup();
    await platform.createSandbox(spec({ ...gpuClass, gpu: 'A100-80GB:2' }));
    const definition = only('SandboxCreate').definition as Record<string, unknown>;
    expect(definition.resources).toMatchObject({ gpuConfig: { count: 2, gpuType: 'A100-80GB' } });
  });

  it('resolves only once Modal has scheduled the sandbox', async () => {
    const platform = setup({ schedulingDelayMs: 700 });
    const started = Date.now();
    await platform.createSandbox(spec(gpuClass));
    expect(Date.now() - started).toBeGreaterThanOrEqual(600);
    expect(fake.requests('SandboxGetTaskId').length).toBeGreaterThanOrEqual(2);
  });

  it('uses the V1 backend for CPU classes too when MODAL_SANDBOX_V2 is off', async () => {
    const platform = setup({}, {}, { sandboxV2: false });
    const { sandboxId } = await platform.createSandbox(spec(cpuClass));
    expect(fake.sandbox(sandboxId)?.kind).toBe('v1');
    expect(fake.requests('SandboxCreateV2')).toHaveLength(0);
  });
});

describe('terminate', () => {
  it('terminates a running sandbox, which then leaves the listing', async () => {
    const platform = setup();
    const { sandboxId } = await platform.createSandbox(spec(cpuClass));
    await platform.terminate(sandboxId);
    expect(only('SandboxTerminateV2')).toEqual({ sandboxId });
    expect(fake.liveCount()).toBe(0);
    expect(fake.sandbox(sandboxId)?.result?.status).toBe(3); // TERMINATED (the SDK reports 137)
    expect(await platform.list('modal-github-runner')).toEqual([]);
  });

  it('accepts a sandbox that already exited, and one Modal does not know', async () => {
    const platform = setup();
    const { sandboxId } = await platform.createSandbox(spec(cpuClass));
    fake.exit(sandboxId, 0);
    await expect(platform.terminate(sandboxId)).resolves.toBeUndefined();
    await expect(platform.terminate('sb-0000000000000000000000')).resolves.toBeUndefined();
    expect(fake.requests('SandboxTerminate')).toEqual([{ sandboxId: 'sb-0000000000000000000000' }]);
    expect(fake.sandbox(sandboxId)?.result?.exitcode).toBe(0);
  });

  it('terminates V1 (GPU) sandboxes through the V1 RPC', async () => {
    const platform = setup();
    const { sandboxId } = await platform.createSandbox(spec(gpuClass));
    await platform.terminate(sandboxId);
    expect(fake.requests('SandboxTerminate')).toEqual([{ sandboxId }]);
    expect(fake.sandbox(sandboxId)?.result?.status).toBe(3); // TERMINATED
  });

  it('reports other failures as ModalErrors', async () => {
    const platform = setup();
    const { sandboxId } = await platform.createSandbox(spec(cpuClass));
    fake.failNext('SandboxTerminateV2', Status.RESOURCE_EXHAUSTED);
    const error = await rejection(platform.terminate(sandboxId));
    expect(error).toMatchObject({
      operation: 'terminate',
      retryable: true,
      code: 'RESOURCE_EXHAUSTED',
    });
  });
});

describe('list', () => {
  it('returns the running sandboxes of the app carrying the tags, with their tags decoded', async () => {
    const platform = setup({ listPageSize: 2 });
    const a1 = await platform.createSandbox(spec(cpuClass));
    const a2 = await platform.createSandbox(spec(cpuClass));
    const gone = await platform.createSandbox(spec(cpuClass));
    const gpu = await platform.createSandbox(spec(gpuClass));
    const other = await platform.createSandbox(
      spec(cpuClass, {
        tags: { managedBy: 'someone-else', runnerClass: 'modal', runnerName: 'x', warm: false },
      }),
    );
    fake.exit(gone.sandboxId, 0);

    const mine = await platform.list('modal-github-runner');
    expect(mine.map((s) => s.sandboxId).sort()).toEqual(
      [a1.sandboxId, a2.sandboxId, gpu.sandboxId].sort(),
    );
    expect(mine.map((s) => s.sandboxId)).not.toContain(other.sandboxId);
    for (const info of mine) {
      expect(info.tags).toEqual(decodeSandboxTags(fake.sandbox(info.sandboxId)?.tags ?? {}));
    }

    const appId = fake.sandbox(a1.sandboxId)?.appId;
    const listRequests = fake.requests('SandboxListV2') as Record<string, unknown>[];
    // Pages of 2: two full pages and an empty one.
    expect(listRequests).toHaveLength(3);
    expect(listRequests[0]).toMatchObject({
      appId,
      includeFinished: false,
      tags: [{ tagName: 'managed-by', tagValue: 'modal-github-runner' }],
    });
    // Tags come with the listing's pages: no lookup per sandbox, V1 and V2 alike.
    expect(fake.requests('SandboxTagsGetV2')).toEqual([]);
    expect(fake.requests('SandboxTagsGet')).toEqual([]);

    const theirs = await platform.list('someone-else');
    expect(theirs.map((s) => s.sandboxId)).toEqual([other.sandboxId]);
  });

  it('sees V2 sandboxes even from a client with MODAL_SANDBOX_V2 off', async () => {
    const v2Platform = setup();
    const { sandboxId } = await v2Platform.createSandbox(spec(cpuClass));
    const v1Client = createFakeModalClient(fake, { sandboxV2: false });
    const v1Platform = createModalSandboxPlatform({
      client: v1Client,
      appName: 'modal-github-runner',
      runnerVersion: RUNNER_VERSION,
      defaultTimeoutMinutes: 60,
    });
    const listed = await v1Platform.list('modal-github-runner');
    expect(listed.map((s) => s.sandboxId)).toEqual([sandboxId]);
    expect(fake.requests('SandboxList')).toHaveLength(0);
    v1Client.close();
  });

  it('returns nothing when nothing runs', async () => {
    const platform = setup();
    await expect(platform.list('modal-github-runner')).resolves.toEqual([]);
  });
});

describe('errors', () => {
  it('UNAVAILABLE that outlasts the SDK retries becomes a retryable ModalError', async () => {
    const platform = setup();
    const launch = spec(cpuClass);
    fake.failNext('SandboxCreateV2', Status.UNAVAILABLE, 4);
    const error = await rejection(platform.createSandbox(launch));
    expect(error).toMatchObject({
      operation: 'create-sandbox',
      retryable: true,
      code: 'UNAVAILABLE',
    });
    expect(retryHintOf(error).retryable).toBe(true);
    expect(fake.requests('SandboxCreateV2')).toHaveLength(4); // the SDK tried 4 times
  });

  it('a single UNAVAILABLE is retried by the SDK itself', async () => {
    const platform = setup();
    fake.failNext('SandboxCreateV2', Status.UNAVAILABLE, 1);
    await expect(platform.createSandbox(spec(cpuClass))).resolves.toHaveProperty('sandboxId');
    expect(fake.requests('SandboxCreateV2')).toHaveLength(2);
    expect(fake.liveCount()).toBe(1);
  });

  it('RESOURCE_EXHAUSTED is not retried by the SDK but is retryable', async () => {
    const platform = setup();
    fake.failNext('SandboxCreateV2', Status.RESOURCE_EXHAUSTED, 1);
    const error = await rejection(platform.createSandbox(spec(cpuClass)));
    expect(error).toMatchObject({ retryable: true, code: 'RESOURCE_EXHAUSTED' });
    expect(fake.requests('SandboxCreateV2')).toHaveLength(1);
  });

  it('rejected credentials: not retryable, says how to fix, shows no secret', async () => {
    const tokenSecret = 'as-WrongSecret0123456789';
    const platform = setup(
      { credentials: { tokenId: 'ak-RightId0123456789', tokenSecret: 'as-RightSecret0123456789' } },
      {},
      { tokenId: 'ak-WrongId0123456789', tokenSecret },
    );
    const launch = spec(cpuClass);
    const error = await rejection(platform.createSandbox(launch));
    expect(error).toMatchObject({
      operation: 'create-sandbox',
      retryable: false,
      code: 'UNAUTHENTICATED',
    });
    expect(error.message).toContain('MODAL_TOKEN_ID / MODAL_TOKEN_SECRET');
    expect(error.message).toContain('modal token new');
    expect(error.message).not.toContain(tokenSecret);
    expect(fake.requests('SandboxCreateV2')).toHaveLength(0);
  });

  it('PERMISSION_DENIED: not retryable, hints at the token', async () => {
    const platform = setup();
    fake.failNext('SandboxCreateV2', Status.PERMISSION_DENIED, 1, {
      details: 'token ak-AbCdEf0123456789 may not create sandboxes',
    });
    const error = await rejection(platform.createSandbox(spec(cpuClass)));
    expect(error).toMatchObject({ retryable: false, code: 'PERMISSION_DENIED' });
    expect(retryHintOf(error).retryable).toBe(false);
    expect(error.message).toContain(
      'check MODAL_TOKEN_ID / MODAL_TOKEN_SECRET (create a token with `modal token new`)',
    );
    expect(error.message).not.toContain('ak-AbCdEf0123456789');
  });

  it('an unknown GPU type points at the class gpu', async () => {
    const platform = setup();
    const error = await rejection(
      platform.createSandbox(spec({ ...gpuClass, name: 'modal-gpu-x', gpu: 'Z900' })),
    );
    expect(error).toMatchObject({ retryable: false, code: 'INVALID_ARGUMENT' });
    expect(error.message).toContain(`check the gpu of runner class 'modal-gpu-x' (gpu "Z900")`);
  });

  it('a missing environment points at MODAL_ENVIRONMENT', async () => {
    const platform = setup({ environments: ['prod'] }, { environment: 'staging' });
    const error = await rejection(platform.createSandbox(spec(cpuClass)));
    expect(error.retryable).toBe(false);
    expect(error.message).toContain("check MODAL_ENVIRONMENT ('staging')");
    expect(only('AppGetOrCreate')).toMatchObject({ environmentName: 'staging' });
  });

  it('a broken class image points at the image', async () => {
    const platform = setup();
    fake.failImageBuild('ghcr.io/acme/missing:1', 'manifest unknown');
    const error = await rejection(
      platform.createSandbox(
        spec({ ...cpuClass, name: 'custom', image: 'ghcr.io/acme/missing:1' }),
      ),
    );
    expect(error.retryable).toBe(false);
    expect(error.message).toContain('manifest unknown');
    expect(error.message).toContain(
      "check the image of runner class 'custom' ('ghcr.io/acme/missing:1')",
    );
    expect(fake.created).toHaveLength(0);
  });

  it('a name already running is the sandbox an earlier attempt created: it is returned, not doubled', async () => {
    const platform = setup();
    const first = spec(cpuClass);
    const { sandboxId } = await platform.createSandbox(first);
    const again = await platform.createSandbox({ ...first });
    expect(again.sandboxId).toBe(sandboxId);
    expect(fake.liveCount()).toBe(1);
    expect(fake.created).toHaveLength(1);

    fake.exit(sandboxId, 0);
    const fresh = await platform.createSandbox(first);
    expect(fresh.sandboxId).not.toBe(sandboxId);
  });

  it('a create whose answer was lost and that the SDK retried ends with the one sandbox', async () => {
    const platform = setup();
    fake.failNext('SandboxCreateV2', Status.UNAVAILABLE, 1, { afterEffect: true });
    const { sandboxId } = await platform.createSandbox(spec(cpuClass));
    expect(fake.created).toHaveLength(1);
    expect(fake.created[0]?.sandboxId).toBe(sandboxId);
  });
});

describe('deliverConfig: the JIT config on stdin, nowhere else', () => {
  it('drain() resolves only once the end of stdin, left to the background, has been written', async () => {
    const platform = setup();
    const ids = await Promise.all([1, 2, 3].map(() => platform.createSandbox(spec(cpuClass))));
    await Promise.all(ids.map(({ sandboxId }) => platform.deliverConfig(sandboxId, jitConfig())));
    await platform.drain();
    // No polling: at stop the server may close the Modal client right after drain().
    for (const { sandboxId } of ids) expect(fake.stdinOf(sandboxId)?.eof).toBe(true);
    await platform.drain(); // nothing left: resolves at once
  });

  it('V2: through the task command router, one line, then EOF; the control plane never sees it', async () => {
    const platform = setup();
    const jit = jitConfig();
    const { sandboxId } = await platform.createSandbox(spec(cpuClass));
    await platform.deliverConfig(sandboxId, jit);
    // Resolved once the line is written; the end of stdin follows off the launch's path.
    expect(fake.stdinOf(sandboxId)?.text).toBe(`${jit}\n`);
    await eventually(() => fake.stdinOf(sandboxId)?.eof === true, 'stdin closed');
    expect(fake.stdinOf(sandboxId)).toMatchObject({ text: `${jit}\n`, eof: true });
    expect(pathsContaining(fake.calls, jit)).toEqual([]);
    // The handle from create knew the router: no access lookup.
    expect(fake.requests('SandboxGetCommandRouterAccess')).toEqual([]);
  });

  it('V2: a sandbox known only by ID is reached through SandboxGetCommandRouterAccess', async () => {
    const first = setup();
    const { sandboxId } = await first.createSandbox(spec(cpuClass));
    const jit = jitConfig();
    const other = createModalSandboxPlatform({
      client,
      appName: 'modal-github-runner',
      runnerVersion: '2.330.0',
      defaultTimeoutMinutes: 60,
    });
    await other.deliverConfig(sandboxId, jit);
    expect(fake.requests('SandboxGetCommandRouterAccess')).toEqual([{ sandboxId }]);
    expect(fake.stdinOf(sandboxId)?.text).toBe(`${jit}\n`);
    await eventually(() => fake.stdinOf(sandboxId)?.eof === true, 'stdin closed');
  });

  it('V1 (GPU): through SandboxStdinWrite, the only calls that carry the config', async () => {
    const platform = setup();
    const jit = jitConfig();
    const { sandboxId } = await platform.createSandbox(spec(gpuClass));
    await platform.deliverConfig(sandboxId, jit);
    expect(fake.stdinOf(sandboxId)).toMatchObject({ text: `${jit}\n`, eof: true });
    const writes = fake.methods().filter((m) => m === 'SandboxStdinWrite').length;
    expect(writes).toBe(2); // the line, then EOF
    const leaks = pathsContaining(fake.calls, jit);
    expect(leaks).toHaveLength(1);
    expect(leaks[0]).toMatch(/^\$\[\d+\]\.request\.input$/);
  });

  it('a retried delivery after a failure does not repeat the config', async () => {
    const platform = setup();
    const jit = jitConfig();
    const { sandboxId } = await platform.createSandbox(spec(gpuClass));
    fake.failNext('SandboxStdinWrite', Status.UNAVAILABLE, 4, { afterEffect: true });
    await rejection(platform.deliverConfig(sandboxId, jit));
    await platform.deliverConfig(sandboxId, jit);
    expect(fake.stdinOf(sandboxId)).toMatchObject({ text: `${jit}\n`, eof: true });
  });

  it('a finished sandbox: a ModalError without the config in it', async () => {
    const platform = setup();
    const jit = jitConfig();
    const { sandboxId } = await platform.createSandbox(spec(gpuClass));
    fake.exit(sandboxId, 1);
    const error = await rejection(platform.deliverConfig(sandboxId, jit));
    expect(error).toMatchObject({ operation: 'deliver-config', code: 'FAILED_PRECONDITION' });
    expect(error.message).not.toContain(jit);
  });
});

describe('deadlines', () => {
  it('a create Modal does not answer in time fails, retryable, when its deadline passes', async () => {
    const platform = setup({ latencyMs: { SandboxCreateV2: 5_000 } }, { callTimeoutMs: 150 });
    const started = Date.now();
    const error = await rejection(platform.createSandbox(spec(cpuClass)));
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(error).toMatchObject({
      code: 'DEADLINE_EXCEEDED',
      retryable: true,
      retriedBelow: false,
    });
    expect(error.message).toContain('no answer within');
    expect(retryHintOf(error)).toEqual({ retryable: true });
  });

  it('an answer within the deadline is unaffected', async () => {
    const platform = setup({ latencyMs: { SandboxCreateV2: 20 } }, { callTimeoutMs: 2_000 });
    await expect(platform.createSandbox(spec(cpuClass))).resolves.toHaveProperty('sandboxId');
  });
});
