/**
 * An in-process fake of Modal's control plane for the real `modal` SDK.
 *
 * It answers every RPC the app's use of the SDK makes, never calling `next`: no request ever
 * reaches the network, whatever `MODAL_SERVER_URL` says. What it records is exactly what the
 * SDK built. This class is what a test holds: it builds the parts (control-plane.ts, images.ts,
 * secrets.ts, sandboxes.ts, sandbox-queries.ts, stdin.ts), lists the RPCs it answers in one
 * method table, and offers the inspection and control a test needs. `createFakeModalClient`
 * (modal-client.ts) gives a real `ModalClient` over it.
 */
import type { ClientMiddleware, Status } from 'nice-grpc-common';
import { FakeControlPlane, type RecordedCall } from './control-plane.js';
import { FakeImages } from './images.js';
import { FakeSandboxFiles } from './sandbox-files.js';
import type { FakeModalOptions } from './options.js';
import { sandboxQueryHandlers } from './sandbox-queries.js';
import { FakeSandboxes, type FakeSandbox, type FakeStdin } from './sandboxes.js';
import { FakeSecrets } from './secrets.js';
import { FakeStdinChannels } from './stdin.js';
import { FakeVolumes, type FakeVolume } from './volumes.js';
import type { Handler } from './wire.js';

export class FakeModal {
  /**
   * For `grpcMiddleware: [fake.middleware]` of a real `ModalClient`. nice-grpc runs the
   * middleware added last first, so the SDK's "custom" middleware is the OUTERMOST: this one
   * answers before the SDK's auth, retry and timeout middleware run (no AuthTokenGet, no auth
   * metadata, no SDK retries). `createFakeModalClient` wires the fake behind them instead.
   */
  readonly middleware: ClientMiddleware;
  /**
   * The innermost middleware, in place of the network: expects the SDK's auth middleware in
   * front of it (checks `x-modal-auth-token`, answers AuthTokenGet). Used by
   * `createFakeModalClient`.
   */
  readonly transportMiddleware: ClientMiddleware;
  /** Every RPC the SDK made, in order. */
  readonly calls: RecordedCall[];
  /** Every sandbox ever created, in creation order. */
  readonly created: FakeSandbox[];
  /** Per-RPC latency in milliseconds, for example `{ SandboxCreateV2: 200 }`. Mutable. */
  readonly latencyMs: Record<string, number>;
  /** Errors thrown by `onCreate` / `onExit` / `onStdin` listeners (the RPC still answers). */
  readonly listenerErrors: unknown[] = [];

  /** The sandboxes' files and the execs run over them (`Sandbox.exec`, V2 sandboxes). */
  readonly files: FakeSandboxFiles;
  readonly #controlPlane: FakeControlPlane;
  readonly #images: FakeImages;
  readonly #secrets: FakeSecrets;
  readonly #volumes: FakeVolumes;
  readonly #sandboxes: FakeSandboxes;
  readonly #stdin: FakeStdinChannels;

  constructor(options: FakeModalOptions = {}) {
    const now = options.now ?? Date.now;
    const controlPlane = new FakeControlPlane(options, now);
    const images = new FakeImages(options.imageBuild);
    const secrets = new FakeSecrets((method, env) => controlPlane.checkEnvironment(method, env));
    const volumes = new FakeVolumes((method, env) => controlPlane.checkEnvironment(method, env));
    const sandboxes: FakeSandboxes = new FakeSandboxes({
      options,
      now,
      lookups: {
        hasApp: (appId) => controlPlane.hasApp(appId),
        findImage: (imageId) => images.find(imageId),
        secretContents: (secretId) => secrets.contents(secretId),
        readVolumeMounts: (method, mounts) => volumes.readMounts(method, mounts),
      },
      sleep: (...args) => controlPlane.sleep(...args),
      routerAccess: (sandbox) => stdin.routerAccess(sandbox),
      listenerErrors: this.listenerErrors,
    });
    const files = new FakeSandboxFiles();
    const stdin = new FakeStdinChannels({
      now,
      get: (id) => sandboxes.get(id),
      find: (kind, method, id) => sandboxes.find(kind, method, id),
      listenerErrors: this.listenerErrors,
      exec: (sandbox, command) => files.exec(sandbox, command),
      byTask: (taskId) => sandboxes.created.find((s) => s.taskId === taskId),
    });
    const queries = sandboxQueryHandlers(sandboxes, controlPlane, options.listPageSize);
    /** Every RPC the fake answers; any other is UNIMPLEMENTED. */
    const methods: Record<string, Handler> = {
      ...controlPlane.handlers, // AuthTokenGet, AppGetOrCreate, EnvironmentGetOrCreate
      ...images.handlers, // ImageGetOrCreate, ImageJoinStreaming
      ...secrets.handlers, // SecretGetOrCreate
      ...volumes.handlers, // VolumeGetOrCreate, VolumeDelete, VolumeListFiles2, VolumeRemoveFile2
      ...sandboxes.handlers, // SandboxCreate, GetTaskId, Wait, Terminate (V1 and V2)
      ...queries, // SandboxList, TagsGet, TagsSet, GetFromName (V1 and V2)
      ...stdin.handlers, // SandboxStdinWrite, SandboxGetCommandRouterAccess, TaskGetCommandRouterAccess
    };
    this.#controlPlane = controlPlane;
    this.#images = images;
    this.#secrets = secrets;
    this.#volumes = volumes;
    this.#sandboxes = sandboxes;
    this.#stdin = stdin;
    this.files = files;
    this.calls = controlPlane.calls;
    this.latencyMs = controlPlane.latencyMs;
    this.created = sandboxes.created;
    this.middleware = controlPlane.middleware(methods, false);
    this.transportMiddleware = controlPlane.middleware(methods, true);
  }

  // ---- inspection ---------------------------------------------------------------------------

  /** The highest number of sandboxes running at the same time. */
  get maxLiveCount(): number {
    return this.#sandboxes.maxLiveCount;
  }

  /** Requests of one RPC, in order. */
  requests(method: string): unknown[] {
    return this.calls.filter((c) => c.method === method).map((c) => c.request);
  }

  /** Names of the RPCs made, in order (AuthTokenGet included). */
  methods(): string[] {
    return this.calls.map((c) => c.method);
  }

  sandbox(sandboxId: string): FakeSandbox | undefined {
    return this.#sandboxes.get(sandboxId);
  }

  /** Sandboxes that have not exited. */
  live(): FakeSandbox[] {
    return this.#sandboxes.all().filter((s) => s.result === undefined);
  }

  liveCount(): number {
    return this.#sandboxes.liveCount();
  }

  /** The Volume named `name` (in `environmentName`, else in any environment). */
  volume(name: string, environmentName?: string): FakeVolume | undefined {
    return this.#volumes.byName(name, environmentName);
  }

  /** Writes a file into a Volume, as a sandbox's commit would (`mtime` in seconds). */
  putVolumeFile(volume: FakeVolume, path: string, file: { mtime: number; size: number }): void {
    this.#volumes.putFile(volume, path, file);
  }

  /** Called synchronously when a sandbox is created; returns an unsubscribe function. */
  onCreate(listener: (sandbox: FakeSandbox) => void): () => void {
    return this.#sandboxes.onCreate(listener);
  }

  /** Called synchronously when a sandbox exits (exit, terminate, expire). */
  onExit(listener: (sandbox: FakeSandbox) => void): () => void {
    return this.#sandboxes.onExit(listener);
  }

  /** What the sandbox read on stdin so far. */
  stdinOf(sandboxId: string): FakeStdin | undefined {
    return this.#sandboxes.get(sandboxId)?.stdin;
  }

  /** Called after every stdin write to any sandbox. */
  onStdin(listener: (sandbox: FakeSandbox) => void): () => void {
    return this.#stdin.onStdin(listener);
  }

  // ---- control ------------------------------------------------------------------------------

  /** The next `count` calls of `method` fail with `code`. `afterEffect`: the call takes effect first (a lost response). */
  /** Ends every injected fault (an outage is over). */
  clearFaults(): void {
    this.#controlPlane.clearFaults();
  }

  failNext(
    method: string,
    code: Status,
    count = 1,
    options: { details?: string; afterEffect?: boolean } = {},
  ): void {
    this.#controlPlane.failNext(method, code, count, options);
  }

  /** Image builds from this registry tag fail with `exception`. */
  failImageBuild(tag: string, exception: string): void {
    this.#images.failBuild(tag, exception);
  }

  /** Image builds from this registry tag succeed again (after `failImageBuild`). */
  allowImageBuild(tag: string): void {
    this.#images.allowBuild(tag);
  }

  /** A named Secret the SDK can look up with `secrets.fromName`. */
  addSecret(name: string, env: Record<string, string>): string {
    return this.#secrets.add(name, env);
  }

  /** The sandbox's process exits with `code` (0 is success). */
  exit(sandboxId: string, code: number): void {
    this.#sandboxes.exit(sandboxId, code);
  }

  /** Modal terminates the sandbox (as on SandboxTerminate): `wait()` then reports 137. */
  terminate(sandboxId: string): void {
    this.#sandboxes.terminate(sandboxId);
  }

  /** The sandbox reaches its timeout: `wait()` then reports 124. */
  expire(sandboxId: string): void {
    this.#sandboxes.expire(sandboxId);
  }

  /** Fails pending long-polls and every later call (FAILED_PRECONDITION), so nothing lingers. */
  close(): void {
    this.#stdin.close();
    this.#controlPlane.close();
  }
}

export type { FakeModalOptions } from './options.js';
export type { RecordedCall } from './control-plane.js';
export type { FakeSandbox, FakeStdin } from './sandboxes.js';
export type { FakeResult } from './wire.js';
export type { FakeVolume, FakeVolumeMount } from './volumes.js';
