import { createServer, type Server } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from '@jest/globals';
import { AlreadyExistsError, type ModalClient } from 'modal';
import { ClientError, Status } from 'nice-grpc-common';
import type { RunnerClass } from '../../src/config/runner-class.js';
import { createModalSandboxPlatform } from '../../src/modal/modal-sandbox-platform.js';
import { FakeModal } from '../../sim/modal/fake-modal.js';
import {
  createFakeModalClient,
  type FakeModalClientOptions,
} from '../../sim/modal/modal-client.js';

const cpuClass: RunnerClass = { name: 'modal', cpu: 2, memoryMiB: 8192 };
const gpuClass: RunnerClass = { name: 'gpu', cpu: 4, memoryMiB: 16384, gpu: 'T4' };

let fake: FakeModal;
let client: ModalClient;
let n = 0;

function platformFor(f: FakeModal, options: FakeModalClientOptions = {}) {
  fake = f;
  client = createFakeModalClient(f, options);
  return createModalSandboxPlatform({
    client,
    appName: 'runners',
    runnerVersion: '2.330.0',
    defaultTimeoutMinutes: 60,
  });
}

function launchSpec(runnerClass: RunnerClass = cpuClass) {
  n += 1;
  const name = `runner-${n}`;
  return {
    name,
    runnerClass,
    tags: { managedBy: 'fake-test', runnerClass: runnerClass.name, runnerName: name, warm: false },
  };
}

afterEach(() => {
  fake.close();
  client.close();
  delete process.env.MODAL_SERVER_URL;
});

describe('FakeModal', () => {
  it.each(['sdk', 'grpcMiddleware'] as const)(
    'never touches the network (%s transport), whatever the server URL',
    async (transport) => {
      let connections = 0;
      const server: Server = createServer((socket) => {
        connections += 1;
        socket.destroy();
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      process.env.MODAL_SERVER_URL = url;
      try {
        const platform = platformFor(new FakeModal(), { transport, endpoint: url });
        const cpu = await platform.createSandbox(launchSpec());
        const gpu = await platform.createSandbox(launchSpec(gpuClass));
        expect(await platform.list('fake-test')).toHaveLength(2);
        await platform.terminate(cpu.sandboxId);
        fake.exit(gpu.sandboxId, 0);
        await expect((await client.sandboxes.fromId(gpu.sandboxId)).wait()).resolves.toBe(0);
        await new Promise((resolve) => setTimeout(resolve, 50));
        expect(connections).toBe(0);
      } finally {
        await new Promise((resolve) => server.close(resolve));
      }
    },
  );

  it('behind the SDK middleware: real AuthTokenGet, auth metadata, SDK retries', async () => {
    const platform = platformFor(new FakeModal());
    fake.failNext('SandboxCreateV2', Status.UNAVAILABLE, 1);
    await platform.createSandbox(launchSpec());
    expect(fake.methods()[0]).toBe('AuthTokenGet');
    const creates = fake.calls.filter((c) => c.method === 'SandboxCreateV2');
    expect(creates.map((c) => c.metadata['x-retry-attempt'])).toEqual(['0', '1']);
    expect(creates[0]?.metadata['x-modal-token-id']).toBe('ak-test');
    expect(creates[0]?.metadata['x-modal-auth-token']).toMatch(/^[\w+/]+\.[\w+/]+\.\w+$/);
  });

  it('as grpcMiddleware: answers before the SDK auth and retries', async () => {
    const platform = platformFor(new FakeModal(), { transport: 'grpcMiddleware' });
    fake.failNext('SandboxCreateV2', Status.UNAVAILABLE, 1);
    await expect(platform.createSandbox(launchSpec())).rejects.toMatchObject({
      code: 'UNAVAILABLE',
    });
    expect(fake.methods()).not.toContain('AuthTokenGet');
    expect(fake.requests('SandboxCreateV2')).toHaveLength(1);
  });

  it('rejects wrong credentials at AuthTokenGet', async () => {
    fake = new FakeModal({ credentials: { tokenId: 'ak-good', tokenSecret: 'as-good' } });
    client = createFakeModalClient(fake, { tokenId: 'ak-good', tokenSecret: 'as-bad' });
    const error = await client.apps
      .fromName('x', { createIfMissing: true })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ClientError);
    expect((error as ClientError).code).toBe(Status.UNAUTHENTICATED);
    expect(fake.methods()).toEqual(['AuthTokenGet']);
  });

  it('answers RPCs it does not implement with UNIMPLEMENTED', async () => {
    platformFor(new FakeModal());
    const error = await client.queues
      .fromName('q', { createIfMissing: true })
      .catch((e: unknown) => e);
    expect((error as ClientError).code).toBe(Status.UNIMPLEMENTED);
    expect(fake.methods()).toContain('QueueGetOrCreate');
  });

  it('holds SandboxWait for at most longPollMs, so the SDK loops until the exit', async () => {
    const platform = platformFor(new FakeModal({ longPollMs: 30 }));
    const { sandboxId } = await platform.createSandbox(launchSpec());
    const sb = await client.sandboxes.fromId(sandboxId);
    await expect(sb.poll()).resolves.toBeNull();
    const exit = sb.wait();
    setTimeout(() => fake.exit(sandboxId, 7), 200);
    await expect(exit).resolves.toBe(7);
    const waits = fake.requests('SandboxWaitV2') as { timeout: number }[];
    const longPolls = waits.filter((w) => w.timeout === 10).length;
    expect(longPolls).toBeGreaterThanOrEqual(3);
    expect(longPolls).toBeLessThanOrEqual(12);
    await expect(sb.poll()).resolves.toBe(7);
  });

  it('fails pending long-polls on close()', async () => {
    const platform = platformFor(new FakeModal({ longPollMs: 60_000 }));
    const { sandboxId } = await platform.createSandbox(launchSpec());
    const exit = (await client.sandboxes.fromId(sandboxId)).wait();
    await new Promise((resolve) => setTimeout(resolve, 20));
    fake.close();
    await expect(exit).rejects.toMatchObject({ code: Status.FAILED_PRECONDITION });
  });

  it('a lost create response that the SDK retries ends in ALREADY_EXISTS, with the sandbox running', async () => {
    platformFor(new FakeModal());
    fake.failNext('SandboxCreateV2', Status.UNAVAILABLE, 1, { afterEffect: true });
    const app = await client.apps.fromName('runners', { createIfMissing: true });
    const image = client.images.fromRegistry('alpine:3');
    const error = await client.sandboxes
      .create(app, image, { name: 'dup', timeoutMs: 60_000 })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AlreadyExistsError);
    expect(fake.liveCount()).toBe(1);
    expect(fake.live()[0]?.name).toBe('dup');
  });

  it('adds latency to creates and tracks the high-water mark of live sandboxes', async () => {
    const platform = platformFor(new FakeModal({ latencyMs: { SandboxCreateV2: 100 } }));
    const started = Date.now();
    const launched = await Promise.all(
      [1, 2, 3, 4].map(() => platform.createSandbox(launchSpec())),
    );
    expect(Date.now() - started).toBeGreaterThanOrEqual(95);
    expect(fake.maxLiveCount).toBe(4);
    for (const { sandboxId } of launched) await platform.terminate(sandboxId);
    await platform.createSandbox(launchSpec());
    expect(fake.liveCount()).toBe(1);
    expect(fake.maxLiveCount).toBe(4);
    expect(fake.created).toHaveLength(5);
  });

  it.each([
    ['V2 (command router)', cpuClass],
    ['V1 (control plane)', { name: 'modal-gpu', cpu: 2, memoryMiB: 4096, gpu: 'T4' }],
  ] as [string, RunnerClass][])(
    'lets a test play the runner: it reads its config on stdin (%s)',
    async (_kind, runnerClass) => {
      const platform = platformFor(new FakeModal());
      const seen: string[] = [];
      fake.onStdin((sandbox) => {
        if (!sandbox.stdin.eof) return;
        seen.push(sandbox.stdin.text);
        setTimeout(() => fake.exit(sandbox.sandboxId, 0), 10);
      });
      const { sandboxId } = await platform.createSandbox(launchSpec(runnerClass));
      await platform.deliverConfig(sandboxId, 'jit-secret');
      await expect((await client.sandboxes.fromId(sandboxId)).wait()).resolves.toBe(0);
      expect(seen).toEqual(['jit-secret\n']);
    },
  );

  it('can make the SDK join a streaming image build', async () => {
    const platform = platformFor(new FakeModal({ imageBuild: 'streaming' }));
    await platform.createSandbox(launchSpec());
    expect(fake.requests('ImageJoinStreaming')).toEqual([
      expect.objectContaining({ imageId: expect.stringMatching(/^im-/), timeout: 55 }),
    ]);
  });

  it('pages the listing without losing sandboxes created in the same millisecond', async () => {
    const platform = platformFor(new FakeModal({ listPageSize: 1, now: () => 1_700_000_000_000 }));
    const ids = new Set<string>();
    for (let i = 0; i < 3; i++) ids.add((await platform.createSandbox(launchSpec())).sandboxId);
    const listed = await platform.list('fake-test');
    expect(new Set(listed.map((s) => s.sandboxId))).toEqual(ids);
    expect(fake.requests('SandboxListV2')).toHaveLength(4);
  });

  it('does not route V1 RPCs to V2 sandboxes', async () => {
    const platform = platformFor(new FakeModal());
    const { sandboxId } = await platform.createSandbox(launchSpec());
    expect(fake.sandbox(sandboxId)?.kind).toBe('v2');
    expect(sandboxId).not.toMatch(/^sb-[0-9A-Za-z]{22}$/);
    const gpu = await platform.createSandbox(launchSpec(gpuClass));
    expect(gpu.sandboxId).toMatch(/^sb-[0-9A-Za-z]{22}$/);
  });
});

describe('FakeModal exec (Sandbox.exec through the command router)', () => {
  it.each([
    ['V2 (CPU)', cpuClass],
    ['V1 (GPU)', gpuClass],
  ])('%s: cat reads a file the sandbox has; a missing one exits 1', async (_kind, cls) => {
    const platform = platformFor(new FakeModal());
    const { sandboxId } = await platform.createSandbox(launchSpec(cls));
    fake.files.append(sandboxId, '/tmp/record', 'line one\n');
    const sandbox = await client.sandboxes.fromId(sandboxId);
    const read = await sandbox.exec(['cat', '/tmp/record']);
    expect(await read.stdout.readText()).toBe('line one\n');
    expect(await read.wait()).toBe(0);
    const missing = await sandbox.exec(['cat', '/tmp/none']);
    expect(await missing.wait()).toBe(1);
    expect(await missing.stderr.readText()).toContain('No such file or directory');
    const unknown = await sandbox.exec(['ls', '/']);
    expect(await unknown.wait()).toBe(127);
    expect(fake.files.execs.map((e) => e.command[0])).toEqual(['cat', 'cat', 'ls']);
    sandbox.detach();
  });

  it('refuses an exec in a sandbox that has finished', async () => {
    const platform = platformFor(new FakeModal());
    const { sandboxId } = await platform.createSandbox(launchSpec());
    const sandbox = await client.sandboxes.fromId(sandboxId);
    await sandbox.exec(['cat', '/x']); // the handle learns its task and router while it runs
    fake.exit(sandboxId, 0);
    await expect(sandbox.exec(['cat', '/x'])).rejects.toThrow(/sandbox finished/);
    sandbox.detach();
  });
});
