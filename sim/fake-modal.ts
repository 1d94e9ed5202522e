/**
 * An in-process fake of Modal's control plane for the real `modal` SDK.
 *
 * It answers every RPC the app's use of the SDK makes, never calling `next`: no request ever
 * reaches the network, whatever `MODAL_SERVER_URL` says. What it records is exactly what the
 * SDK built.
 *
 * Two ways to plug it in (see `createFakeModalClient`):
 * - `sdk` (default): in place of the network, behind the SDK's own auth and retry middleware.
 *   AuthTokenGet happens, auth metadata is checked, and the SDK retries what it retries:
 *   UNAVAILABLE, INTERNAL, DEADLINE_EXCEEDED, CANCELLED and UNKNOWN up to 3 times (about 0.7 s)
 *   before the caller sees them, so use `failNext(..., count >= 4)` to make one surface.
 * - `grpcMiddleware: [fake.middleware]`: the documented hook. nice-grpc runs it before the
 *   SDK's own middleware, so there is no auth and no retry: every fault surfaces at once.
 */
import { randomBytes } from 'node:crypto';
import { ModalClient, type LogLevel, type Logger, type ModalClientParams } from 'modal';
import { FakeCommandRouter, type StdinWrite } from './fake-command-router.js';
import {
  ClientError,
  composeClientMiddleware,
  Status,
  type CallOptions,
  type ClientMiddleware,
  type ClientMiddlewareCall,
} from 'nice-grpc-common';

/** Modal's `GenericResult.status` values the fake uses. */
export const GenericStatus = {
  UNSPECIFIED: 0,
  SUCCESS: 1,
  FAILURE: 2,
  TERMINATED: 3,
  TIMEOUT: 4,
} as const;

const OBJECT_CREATION_TYPE_CREATE_IF_MISSING = 1;
const OBJECT_CREATION_TYPE_EPHEMERAL = 5;
const SERVICE_PATH_PREFIX = '/modal.client.ModalClient/';
const V1_ID_ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const MAX_TIMEOUT_SECS = 24 * 60 * 60;
const KNOWN_GPUS = new Set([
  'T4',
  'L4',
  'A10',
  'A10G',
  'A100',
  'A100-40GB',
  'A100-80GB',
  'L40S',
  'H100',
  'H100!',
  'H200',
  'B200',
  'B200+',
  'ANY',
]);

export interface RecordedCall {
  /** The RPC name, for example `SandboxCreateV2`. */
  readonly method: string;
  /** The request object the SDK passed to the stub (a deep copy). */
  readonly request: unknown;
  /** gRPC metadata the SDK attached (auth headers included). */
  readonly metadata: Readonly<Record<string, string>>;
  readonly at: number;
}

export interface FakeStdin {
  text: string;
  /** The writer closed stdin. */
  eof: boolean;
  /** When the first write arrived. */
  firstWriteAt: number | undefined;
}

export interface FakeResult {
  readonly status: number;
  readonly exitcode: number;
  readonly exception: string;
}

export interface FakeSandbox {
  readonly sandboxId: string;
  /** Which backend created it: `v1` (SandboxCreate, GPU) or `v2` (SandboxCreateV2). */
  readonly kind: 'v1' | 'v2';
  readonly appId: string;
  readonly name: string | undefined;
  tags: Record<string, string>;
  /** Milliseconds since the epoch. */
  readonly createdAt: number;
  readonly imageId: string;
  /** The registry tag of the image (`FROM <tag>`), when it was built from one. */
  readonly imageTag: string | undefined;
  readonly command: readonly string[];
  readonly workdir: string | undefined;
  /** The environment the sandbox process gets: env sources and secrets, merged. */
  readonly env: Readonly<Record<string, string>>;
  readonly timeoutSecs: number;
  readonly milliCpu: number;
  readonly memoryMb: number;
  /** `H100`, `A100-80GB:2`…, or undefined without a GPU. */
  readonly gpu: string | undefined;
  readonly taskId: string;
  /** When the scheduler places it (creation time plus `schedulingDelayMs`). */
  readonly scheduledAt: number;
  /**
   * What the sandbox's process read on stdin: V1 through the control plane
   * (SandboxStdinWrite), V2 through the task's command router (SandboxStdinWriteV2).
   */
  readonly stdin: FakeStdin;
  /** Undefined while the sandbox runs. */
  result: FakeResult | undefined;
  finishedAt: number | undefined;
}

interface FakeApp {
  readonly appId: string;
  readonly name: string;
  readonly environmentName: string;
}

interface FakeImage {
  readonly imageId: string;
  readonly tag: string | undefined;
  readonly dockerfileCommands: readonly string[];
}

interface Fault {
  readonly code: Status;
  readonly details: string;
  readonly afterEffect: boolean;
  remaining: number;
}

export interface FakeModalOptions {
  /** When set, AuthTokenGet accepts only these credentials (UNAUTHENTICATED otherwise). */
  readonly credentials?: { readonly tokenId: string; readonly tokenSecret: string };
  /** When set, only these environment names exist ('' is always the default environment). */
  readonly environments?: readonly string[];
  /** Added before each SandboxCreate / SandboxCreateV2 (or any other RPC) answers. */
  readonly latencyMs?: Readonly<Record<string, number>>;
  /** How long a V1 sandbox stays unscheduled (SandboxGetTaskId returns no task yet). */
  readonly schedulingDelayMs?: number;
  /** Upper bound on how long a SandboxWait long-poll is held before answering "still running". */
  readonly longPollMs?: number;
  /** Page size of SandboxList / SandboxListV2. */
  readonly listPageSize?: number;
  /** `immediate`: ImageGetOrCreate answers with the result; `streaming`: via ImageJoinStreaming. */
  readonly imageBuild?: 'immediate' | 'streaming';
  readonly now?: () => number;
}

type Handler = (request: Record<string, unknown>, options: CallOptions) => Promise<unknown>;

/**
 * Every string path (`a.b[0].c`) inside `value` whose string value contains `needle`. Use it to
 * prove where a secret went, and where it did not.
 */
export function pathsContaining(value: unknown, needle: string, path = '$'): string[] {
  if (typeof value === 'string') return value.includes(needle) ? [path] : [];
  if (value === null || typeof value !== 'object') return [];
  if (value instanceof Uint8Array) {
    return Buffer.from(value).toString('utf8').includes(needle) ? [path] : [];
  }
  if (Array.isArray(value)) {
    return value.flatMap((item, i) => pathsContaining(item, needle, `${path}[${i}]`));
  }
  return Object.entries(value).flatMap(([key, item]) => [
    ...(key.includes(needle) ? [`${path}.${key}(key)`] : []),
    ...pathsContaining(item, needle, `${path}.${key}`),
  ]);
}

function randomId(prefix: string, length: number): string {
  const bytes = randomBytes(length);
  let out = '';
  for (const byte of bytes) out += V1_ID_ALPHABET[byte % V1_ID_ALPHABET.length];
  return `${prefix}${out}`;
}

function fakeJwt(expiresAtSecs: number): string {
  const b64 = (value: unknown) =>
    Buffer.from(JSON.stringify(value)).toString('base64').replace(/=+$/, '');
  return `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ exp: expiresAtSecs, sub: 'fake-modal' })}.c2ln`;
}

function rpcError(method: string, code: Status, details: string): ClientError {
  return new ClientError(`${SERVICE_PATH_PREFIX}${method}`, code, details);
}

function abortError(): Error {
  const error = new Error('The operation has been aborted');
  error.name = 'AbortError';
  return error;
}

function asRecord(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
}

function asString(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

function asNumber(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) ? value : 0;
}

function tagList(value: unknown): Record<string, string> {
  const tags: Record<string, string> = {};
  if (!Array.isArray(value)) return tags;
  for (const item of value) {
    const { tagName, tagValue } = asRecord(item);
    tags[asString(tagName)] = asString(tagValue);
  }
  return tags;
}

function toTagList(tags: Readonly<Record<string, string>>) {
  return Object.entries(tags).map(([tagName, tagValue]) => ({ tagName, tagValue }));
}

function stringMap(value: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, item] of Object.entries(asRecord(value))) out[key] = asString(item);
  return out;
}

function genericResult(result: FakeResult) {
  return {
    status: result.status,
    exception: result.exception,
    exitcode: result.exitcode,
    traceback: '',
    serializedTb: new Uint8Array(0),
    tbLineCache: new Uint8Array(0),
    data: undefined,
    dataBlobId: undefined,
    propagationReason: '',
  };
}

function metadataRecord(options: CallOptions): Record<string, string> {
  const out: Record<string, string> = {};
  const metadata = options.metadata;
  if (!metadata) return out;
  for (const [key, values] of metadata) {
    out[key] = values.map((v) => (typeof v === 'string' ? v : Buffer.from(v).toString())).join(',');
  }
  return out;
}

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
  readonly calls: RecordedCall[] = [];
  /** Every sandbox ever created, in creation order. */
  readonly created: FakeSandbox[] = [];
  /** The highest number of sandboxes running at the same time. */
  maxLiveCount = 0;
  /** Per-RPC latency in milliseconds, for example `{ SandboxCreateV2: 200 }`. Mutable. */
  readonly latencyMs: Record<string, number>;
  /** Errors thrown by `onCreate` / `onExit` listeners (the RPC still answers). */
  readonly listenerErrors: unknown[] = [];

  readonly #options: FakeModalOptions;
  readonly #now: () => number;
  readonly #apps = new Map<string, FakeApp>();
  readonly #images = new Map<string, FakeImage>();
  readonly #imageFailures = new Map<string, string>();
  readonly #secrets = new Map<string, Record<string, string>>();
  readonly #namedSecrets = new Map<string, string>();
  readonly #sandboxes = new Map<string, FakeSandbox>();
  /** Creation times as Modal reports them (seconds, strictly increasing): list pages by them. */
  readonly #sandboxCreatedAt = new Map<string, number>();
  /** ImageJoinStreaming answers, in `imageBuild: 'streaming'` mode. */
  readonly #pendingImageResults = new Map<string, ReturnType<typeof genericResult>>();
  readonly #faults = new Map<string, Fault[]>();
  readonly #waiters = new Map<string, Set<() => void>>();
  readonly #createListeners = new Set<(sandbox: FakeSandbox) => void>();
  readonly #exitListeners = new Set<(sandbox: FakeSandbox) => void>();
  readonly #issuedTokens = new Set<string>();
  readonly #closeListeners = new Set<() => void>();
  readonly #stdinListeners = new Set<(sandbox: FakeSandbox) => void>();
  /** The command router of V2 tasks, started with the first V2 sandbox. */
  #router: FakeCommandRouter | undefined;
  readonly #taskJwts = new Map<string, string>();
  readonly #taskSandboxes = new Map<string, string>();
  readonly #v1StdinIndex = new Map<string, number>();
  readonly #handlers: Record<string, Handler>;
  /** `appId/name` of running named sandboxes → sandbox ID (names are unique among those). */
  readonly #liveNames = new Map<string, string>();
  #liveCount = 0;
  #lastCreatedAtSecs = 0;
  #closed = false;

  constructor(options: FakeModalOptions = {}) {
    this.#options = options;
    this.#now = options.now ?? Date.now;
    this.latencyMs = { ...options.latencyMs };
    this.#handlers = {
      AuthTokenGet: (_req, opts) => this.#authTokenGet(opts),
      AppGetOrCreate: (req) => this.#appGetOrCreate(req),
      EnvironmentGetOrCreate: (req) => this.#environmentGetOrCreate(req),
      ImageGetOrCreate: (req) => this.#imageGetOrCreate(req),
      ImageJoinStreaming: (req) => this.#imageJoinStreaming(req),
      SecretGetOrCreate: (req) => this.#secretGetOrCreate(req),
      SandboxCreate: (req) => this.#sandboxCreate('v1', req),
      SandboxCreateV2: (req) => this.#sandboxCreate('v2', req),
      SandboxGetTaskId: (req) => this.#sandboxGetTaskId('v1', req),
      SandboxGetTaskIdV2: (req) => this.#sandboxGetTaskId('v2', req),
      SandboxWait: (req, opts) => this.#sandboxWait('v1', req, opts),
      SandboxWaitV2: (req, opts) => this.#sandboxWait('v2', req, opts),
      SandboxTerminate: (req) => this.#sandboxTerminate('v1', req),
      SandboxTerminateV2: (req) => this.#sandboxTerminate('v2', req),
      SandboxList: (req) => this.#sandboxList('v1', req),
      SandboxListV2: (req) => this.#sandboxList('v2', req),
      SandboxTagsGet: (req) => this.#sandboxTagsGet('v1', req),
      SandboxTagsGetV2: (req) => this.#sandboxTagsGet('v2', req),
      SandboxTagsSet: (req) => this.#sandboxTagsSet('v1', req),
      SandboxTagsSetV2: (req) => this.#sandboxTagsSet('v2', req),
      SandboxGetFromName: (req) => this.#sandboxGetFromName('v1', req),
      SandboxGetFromNameV2: (req) => this.#sandboxGetFromName('v2', req),
      SandboxStdinWrite: (req) => this.#sandboxStdinWrite(req),
      SandboxGetCommandRouterAccess: (req) => this.#commandRouterAccessFor(req),
    };
    this.middleware = this.#makeMiddleware(false);
    this.transportMiddleware = this.#makeMiddleware(true);
  }

  #makeMiddleware(checkAuth: boolean): ClientMiddleware {
    const dispatch = (method: string, request: unknown, options: CallOptions) =>
      this.#dispatch(method, request, options, checkAuth);
    const record = (method: string, request: unknown, options: CallOptions) =>
      this.#record(method, request, options);
    return async function* fakeModalMiddleware(
      call: ClientMiddlewareCall<unknown, unknown>,
      options: CallOptions,
    ): AsyncGenerator<unknown, unknown, undefined> {
      const method = call.method.path.startsWith(SERVICE_PATH_PREFIX)
        ? call.method.path.slice(SERVICE_PATH_PREFIX.length)
        : call.method.path;
      if (call.requestStream || (call.responseStream && method !== 'ImageJoinStreaming')) {
        record(method, call.requestStream ? '<request stream>' : call.request, options);
        throw rpcError(method, Status.UNIMPLEMENTED, `FakeModal does not implement ${method}`);
      }
      const response = await dispatch(method, call.request, options);
      if (call.responseStream) {
        yield response;
        return undefined;
      }
      return response;
    } as unknown as ClientMiddleware;
  }

  // ---- inspection ---------------------------------------------------------------------------

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
    return [...this.#sandboxes.values()].filter((s) => s.result === undefined);
  }

  liveCount(): number {
    return this.#liveCount;
  }

  /** Called synchronously when a sandbox is created; returns an unsubscribe function. */
  onCreate(listener: (sandbox: FakeSandbox) => void): () => void {
    this.#createListeners.add(listener);
    return () => this.#createListeners.delete(listener);
  }

  /** Called synchronously when a sandbox exits (exit, terminate, expire). */
  onExit(listener: (sandbox: FakeSandbox) => void): () => void {
    this.#exitListeners.add(listener);
    return () => this.#exitListeners.delete(listener);
  }

  // ---- control ------------------------------------------------------------------------------

  /** The next `count` calls of `method` fail with `code`. `afterEffect`: the call takes effect first (a lost response). */
  failNext(
    method: string,
    code: Status,
    count = 1,
    options: { details?: string; afterEffect?: boolean } = {},
  ): void {
    const faults = this.#faults.get(method) ?? [];
    faults.push({
      code,
      details: options.details ?? `injected ${Status[code]} for ${method}`,
      afterEffect: options.afterEffect ?? false,
      remaining: count,
    });
    this.#faults.set(method, faults);
  }

  /** Image builds from this registry tag fail with `exception`. */
  failImageBuild(tag: string, exception: string): void {
    this.#imageFailures.set(tag, exception);
  }

  /** A named Secret the SDK can look up with `secrets.fromName`. */
  addSecret(name: string, env: Record<string, string>): string {
    const secretId = randomId('st-', 22);
    this.#secrets.set(secretId, { ...env });
    this.#namedSecrets.set(name, secretId);
    return secretId;
  }

  /** The sandbox's process exits with `code` (0 is success). */
  exit(sandboxId: string, code: number): void {
    this.#finish(sandboxId, {
      status: code === 0 ? GenericStatus.SUCCESS : GenericStatus.FAILURE,
      exitcode: code,
      exception: code === 0 ? '' : `exit status ${code}`,
    });
  }

  /** Modal terminates the sandbox (as on SandboxTerminate): `wait()` then reports 137. */
  terminate(sandboxId: string): void {
    this.#finish(sandboxId, {
      status: GenericStatus.TERMINATED,
      exitcode: 0,
      exception: 'Sandbox terminated',
    });
  }

  /** The sandbox reaches its timeout: `wait()` then reports 124. */
  expire(sandboxId: string): void {
    this.#finish(sandboxId, {
      status: GenericStatus.TIMEOUT,
      exitcode: 0,
      exception: 'Sandbox timed out',
    });
  }

  /** What the sandbox read on stdin so far. */
  stdinOf(sandboxId: string): FakeStdin | undefined {
    return this.#sandboxes.get(sandboxId)?.stdin;
  }

  /** Called after every stdin write to any sandbox. */
  onStdin(listener: (sandbox: FakeSandbox) => void): () => void {
    this.#stdinListeners.add(listener);
    return () => this.#stdinListeners.delete(listener);
  }

  /** Fails pending long-polls and every later call (FAILED_PRECONDITION), so nothing lingers. */
  close(): void {
    this.#router?.close();
    this.#closed = true;
    for (const listener of [...this.#closeListeners]) listener();
    this.#closeListeners.clear();
  }

  // ---- dispatch -----------------------------------------------------------------------------

  #record(method: string, request: unknown, options: CallOptions): void {
    let copy: unknown;
    try {
      copy = structuredClone(request);
    } catch {
      copy = request;
    }
    this.calls.push({ method, request: copy, metadata: metadataRecord(options), at: this.#now() });
  }

  async #dispatch(
    method: string,
    request: unknown,
    options: CallOptions,
    checkAuth: boolean,
  ): Promise<unknown> {
    this.#record(method, request, options);
    if (this.#closed) throw rpcError(method, Status.FAILED_PRECONDITION, 'FakeModal is closed');
    const handler = this.#handlers[method];
    if (!handler) {
      throw rpcError(method, Status.UNIMPLEMENTED, `FakeModal does not implement ${method}`);
    }
    if (checkAuth && method !== 'AuthTokenGet') this.#checkAuthToken(method, options);
    const fault = this.#takeFault(method);
    if (fault && !fault.afterEffect) throw rpcError(method, fault.code, fault.details);
    const latency = this.latencyMs[method] ?? 0;
    if (latency > 0) await this.#sleep(method, latency, options.signal, false);
    const response = await handler(asRecord(request), options);
    if (fault) throw rpcError(method, fault.code, fault.details);
    return response;
  }

  #takeFault(method: string): Fault | undefined {
    const faults = this.#faults.get(method);
    const fault = faults?.[0];
    if (!faults || !fault) return undefined;
    fault.remaining -= 1;
    if (fault.remaining <= 0) faults.shift();
    return fault;
  }

  #checkAuthToken(method: string, options: CallOptions): void {
    const token = options.metadata?.get('x-modal-auth-token');
    if (typeof token !== 'string' || !this.#issuedTokens.has(token)) {
      throw rpcError(method, Status.UNAUTHENTICATED, 'missing or unknown x-modal-auth-token');
    }
  }

  /** Resolves after `ms`; rejects on abort or `close()`. `unref`: does not keep Node alive. */
  #sleep(
    method: string,
    ms: number,
    signal: AbortSignal | undefined,
    unref: boolean,
    wake?: Set<() => void>,
  ) {
    return new Promise<void>((resolve, reject) => {
      if (signal?.aborted) return reject(abortError());
      const done = (error?: Error) => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        this.#closeListeners.delete(onClose);
        wake?.delete(onWake);
        if (error) reject(error);
        else resolve();
      };
      const timer = setTimeout(() => done(), ms);
      if (unref) timer.unref();
      const onAbort = () => done(abortError());
      const onClose = () =>
        done(rpcError(method, Status.FAILED_PRECONDITION, 'FakeModal is closed'));
      const onWake = () => done();
      signal?.addEventListener('abort', onAbort);
      this.#closeListeners.add(onClose);
      wake?.add(onWake);
    });
  }

  // ---- RPC handlers -------------------------------------------------------------------------

  async #authTokenGet(options: CallOptions) {
    const credentials = this.#options.credentials;
    if (credentials) {
      const metadata = options.metadata;
      if (
        metadata?.get('x-modal-token-id') !== credentials.tokenId ||
        metadata.get('x-modal-token-secret') !== credentials.tokenSecret
      ) {
        throw rpcError('AuthTokenGet', Status.UNAUTHENTICATED, 'Invalid token id or secret');
      }
    }
    const token = fakeJwt(Math.floor(this.#now() / 1000) + 3600);
    this.#issuedTokens.add(token);
    return { token };
  }

  #checkEnvironment(method: string, environmentName: string): void {
    const known = this.#options.environments;
    if (known && environmentName !== '' && !known.includes(environmentName)) {
      throw rpcError(method, Status.NOT_FOUND, `Environment '${environmentName}' not found`);
    }
  }

  async #appGetOrCreate(req: Record<string, unknown>) {
    const appName = asString(req.appName);
    const environmentName = asString(req.environmentName);
    this.#checkEnvironment('AppGetOrCreate', environmentName);
    const key = `${environmentName}/${appName}`;
    let app = this.#apps.get(key);
    if (!app) {
      if (req.objectCreationType !== OBJECT_CREATION_TYPE_CREATE_IF_MISSING) {
        throw rpcError('AppGetOrCreate', Status.NOT_FOUND, `App '${appName}' not found`);
      }
      app = { appId: randomId('ap-', 22), name: appName, environmentName };
      this.#apps.set(key, app);
    }
    return {
      appId: app.appId,
      handleMetadata: {
        description: appName,
        appId: app.appId,
        environmentName,
        lifecycle: undefined,
        functions: {},
        servers: {},
      },
    };
  }

  async #environmentGetOrCreate(req: Record<string, unknown>) {
    const name = asString(req.deploymentName);
    this.#checkEnvironment('EnvironmentGetOrCreate', name);
    return {
      environmentId: `en-${name || 'main'}`,
      metadata: {
        name: name || 'main',
        settings: {
          imageBuilderVersion: '2025.06',
          webhookSuffix: '',
          maxConcurrentGpus: undefined,
          maxConcurrentTasks: undefined,
          blockUnauthenticatedResources: undefined,
        },
        environmentType: 0,
      },
    };
  }

  async #imageGetOrCreate(req: Record<string, unknown>) {
    const image = asRecord(req.image);
    const commands = Array.isArray(image.dockerfileCommands)
      ? image.dockerfileCommands.map(asString)
      : [];
    const key = JSON.stringify([commands, image.baseImages ?? []]);
    let built = this.#images.get(key);
    if (!built) {
      const from = commands[0]?.match(/^FROM\s+(\S+)/);
      const tag = from?.[1] && from[1] !== 'base' ? from[1] : undefined;
      built = { imageId: randomId('im-', 22), tag, dockerfileCommands: commands };
      this.#images.set(key, built);
    }
    const failure = built.tag === undefined ? undefined : this.#imageFailures.get(built.tag);
    const result = genericResult(
      failure === undefined
        ? { status: GenericStatus.SUCCESS, exitcode: 0, exception: '' }
        : { status: GenericStatus.FAILURE, exitcode: 1, exception: failure },
    );
    if (this.#options.imageBuild === 'streaming') {
      this.#pendingImageResults.set(built.imageId, result);
      return { imageId: built.imageId, result: undefined, metadata: undefined };
    }
    return { imageId: built.imageId, result, metadata: undefined };
  }

  async #imageJoinStreaming(req: Record<string, unknown>) {
    const imageId = asString(req.imageId);
    const result = this.#pendingImageResults.get(imageId);
    if (!result)
      throw rpcError('ImageJoinStreaming', Status.NOT_FOUND, `Image ${imageId} not found`);
    return { result, taskLogs: [], entryId: '1', eof: true, metadata: undefined };
  }

  async #secretGetOrCreate(req: Record<string, unknown>) {
    const environmentName = asString(req.environmentName);
    this.#checkEnvironment('SecretGetOrCreate', environmentName);
    if (req.objectCreationType === OBJECT_CREATION_TYPE_EPHEMERAL) {
      const secretId = randomId('st-', 22);
      this.#secrets.set(secretId, stringMap(req.envDict));
      return { secretId, metadata: undefined };
    }
    const name = asString(req.deploymentName);
    const secretId = this.#namedSecrets.get(name);
    if (!secretId)
      throw rpcError('SecretGetOrCreate', Status.NOT_FOUND, `Secret '${name}' not found`);
    return { secretId, metadata: undefined };
  }

  #createdAtSecs(): number {
    this.#lastCreatedAtSecs = Math.max(this.#now() / 1000, this.#lastCreatedAtSecs + 0.000001);
    return this.#lastCreatedAtSecs;
  }

  async #sandboxCreate(kind: 'v1' | 'v2', req: Record<string, unknown>) {
    const method = kind === 'v1' ? 'SandboxCreate' : 'SandboxCreateV2';
    const appId = asString(req.appId);
    if (![...this.#apps.values()].some((a) => a.appId === appId)) {
      throw rpcError(method, Status.NOT_FOUND, `App ${appId} not found`);
    }
    const definition = asRecord(req.definition);
    const imageId = asString(definition.imageId);
    const image = [...this.#images.values()].find((i) => i.imageId === imageId);
    if (!image) throw rpcError(method, Status.NOT_FOUND, `Image ${imageId} not found`);

    const resources = asRecord(definition.resources);
    const gpuConfig = asRecord(resources.gpuConfig);
    const gpuCount = asNumber(gpuConfig.count);
    const gpuType = asString(gpuConfig.gpuType);
    let gpu: string | undefined;
    if (gpuCount > 0 || gpuType !== '') {
      if (kind === 'v2') {
        throw rpcError(
          method,
          Status.INVALID_ARGUMENT,
          'GPUs are not supported by SandboxCreateV2',
        );
      }
      if (!KNOWN_GPUS.has(gpuType.toUpperCase())) {
        throw rpcError(method, Status.INVALID_ARGUMENT, `Unknown GPU type '${gpuType}'`);
      }
      gpu = gpuCount > 1 ? `${gpuType}:${gpuCount}` : gpuType;
    }

    const timeoutSecs = asNumber(definition.timeoutSecs) || 300;
    if (timeoutSecs > MAX_TIMEOUT_SECS) {
      throw rpcError(
        method,
        Status.INVALID_ARGUMENT,
        `timeout must be at most ${MAX_TIMEOUT_SECS}s`,
      );
    }
    const name = asString(definition.name) || undefined;
    if (name !== undefined && name.length >= 64) {
      throw rpcError(
        method,
        Status.INVALID_ARGUMENT,
        'Sandbox name must be shorter than 64 characters',
      );
    }
    if (name !== undefined && this.#liveNames.has(`${appId}/${name}`)) {
      throw rpcError(
        method,
        Status.ALREADY_EXISTS,
        `A running Sandbox named '${name}' already exists in this App`,
      );
    }

    const env: Record<string, string> = {};
    const secretIds = Array.isArray(definition.secretIds) ? definition.secretIds.map(asString) : [];
    const sources = Array.isArray(req.secretSources) ? req.secretSources.map(asRecord) : [];
    for (const source of sources) {
      const id = asString(source.secretId);
      if (id) secretIds.push(id);
      else Object.assign(env, stringMap(asRecord(source.env).contents));
    }
    for (const id of secretIds) {
      const secret = this.#secrets.get(id);
      if (!secret) throw rpcError(method, Status.NOT_FOUND, `Secret ${id} not found`);
      Object.assign(env, secret);
    }

    const now = this.#now();
    const sandbox: FakeSandbox = {
      // The SDK tells V1 from V2 by the ID's shape: `sb-` and 22 alphanumerics is V1.
      sandboxId: kind === 'v1' ? randomId('sb-', 22) : randomId('sb-', 26),
      kind,
      appId,
      name,
      tags: tagList(req.tags),
      createdAt: now,
      imageId,
      imageTag: image.tag,
      command: Array.isArray(definition.entrypointArgs)
        ? definition.entrypointArgs.map(asString)
        : [],
      workdir: asString(definition.workdir) || undefined,
      env,
      timeoutSecs,
      milliCpu: asNumber(resources.milliCpu),
      memoryMb: asNumber(resources.memoryMb),
      gpu,
      taskId: randomId('ta-', 22),
      stdin: { text: '', eof: false, firstWriteAt: undefined },
      scheduledAt: kind === 'v1' ? now + (this.#options.schedulingDelayMs ?? 0) : now,
      result: undefined,
      finishedAt: undefined,
    };
    this.#sandboxCreatedAt.set(sandbox.sandboxId, this.#createdAtSecs());
    this.#sandboxes.set(sandbox.sandboxId, sandbox);
    this.created.push(sandbox);
    if (name !== undefined) this.#liveNames.set(`${appId}/${name}`, sandbox.sandboxId);
    this.#liveCount += 1;
    this.maxLiveCount = Math.max(this.maxLiveCount, this.#liveCount);
    for (const listener of [...this.#createListeners]) {
      try {
        listener(sandbox);
      } catch (error) {
        this.listenerErrors.push(error);
      }
    }
    if (kind === 'v1') return { sandboxId: sandbox.sandboxId, metadata: undefined };
    return {
      sandboxId: sandbox.sandboxId,
      tunnels: [],
      taskId: sandbox.taskId,
      metadata: undefined,
      commandRouterAccess: await this.#commandRouterAccess(sandbox),
      sandboxToken: '',
    };
  }

  /** The URL and JWT with which the SDK reaches the task's command router. */
  async #commandRouterAccess(sandbox: FakeSandbox) {
    this.#router ??= new FakeCommandRouter({
      jwtOf: (taskId) => this.#taskJwts.get(taskId),
      writeStdin: (write) => this.#writeStdinV2(write),
    });
    let jwt = this.#taskJwts.get(sandbox.taskId);
    if (jwt === undefined) {
      jwt = fakeJwt(Math.floor(this.#now() / 1000) + 3600);
      this.#taskJwts.set(sandbox.taskId, jwt);
      this.#taskSandboxes.set(sandbox.taskId, sandbox.sandboxId);
    }
    return { url: await this.#router.url(), jwt };
  }

  async #commandRouterAccessFor(req: Record<string, unknown>) {
    const sandbox = this.#find('v2', 'SandboxGetCommandRouterAccess', req.sandboxId);
    return this.#commandRouterAccess(sandbox);
  }

  #appendStdin(sandbox: FakeSandbox, text: string, eof: boolean): void {
    if (sandbox.stdin.eof) return;
    sandbox.stdin.firstWriteAt ??= this.#now();
    sandbox.stdin.text += text;
    sandbox.stdin.eof = eof;
    for (const listener of [...this.#stdinListeners]) {
      try {
        listener(sandbox);
      } catch (error) {
        this.listenerErrors.push(error);
      }
    }
  }

  /** V2, from the command router: bytes at `offset`; a write already applied changes nothing. */
  #writeStdinV2(write: StdinWrite): void {
    const sandbox = this.#sandboxes.get(this.#taskSandboxes.get(write.taskId) ?? '');
    if (!sandbox) throw { code: Status.NOT_FOUND, details: `task ${write.taskId} not found` };
    if (sandbox.result) throw { code: Status.FAILED_PRECONDITION, details: 'sandbox finished' };
    const have = Buffer.byteLength(sandbox.stdin.text);
    if (write.offset > have) {
      throw { code: Status.OUT_OF_RANGE, details: `offset ${write.offset} past ${have}` };
    }
    const fresh = Buffer.from(write.data)
      .subarray(have - write.offset)
      .toString('utf8');
    this.#appendStdin(sandbox, fresh, write.eof);
  }

  /** V1, through the control plane: chunks numbered from 1; a repeated index changes nothing. */
  async #sandboxStdinWrite(req: Record<string, unknown>) {
    const sandbox = this.#find('v1', 'SandboxStdinWrite', req.sandboxId);
    if (sandbox.result) {
      throw rpcError('SandboxStdinWrite', Status.FAILED_PRECONDITION, 'sandbox finished');
    }
    const index = asNumber(req.index);
    const last = this.#v1StdinIndex.get(sandbox.sandboxId) ?? 0;
    if (index <= last) return {};
    this.#v1StdinIndex.set(sandbox.sandboxId, index);
    const input = req.input instanceof Uint8Array ? Buffer.from(req.input).toString('utf8') : '';
    this.#appendStdin(sandbox, input, req.eof === true);
    return {};
  }

  /**
   * The sandbox, if it exists and was made by the backend this RPC belongs to: the SDK picks
   * V1 or V2 RPCs from the ID's shape, and a wrong pick is NOT_FOUND here.
   */
  #find(kind: 'v1' | 'v2', method: string, sandboxId: unknown): FakeSandbox {
    const id = asString(sandboxId);
    const sandbox = this.#sandboxes.get(id);
    if (!sandbox || sandbox.kind !== kind) {
      throw rpcError(method, Status.NOT_FOUND, `Sandbox ${id} not found`);
    }
    return sandbox;
  }

  #handleMetadata(sandbox: FakeSandbox) {
    return {
      result: sandbox.result && genericResult(sandbox.result),
      appId: sandbox.appId,
    };
  }

  async #sandboxGetTaskId(kind: 'v1' | 'v2', req: Record<string, unknown>) {
    const method = kind === 'v1' ? 'SandboxGetTaskId' : 'SandboxGetTaskIdV2';
    const sandbox = this.#find(kind, method, req.sandboxId);
    if (this.#now() >= sandbox.scheduledAt)
      return { taskId: sandbox.taskId, taskResult: undefined };
    if (sandbox.result) return { taskId: undefined, taskResult: genericResult(sandbox.result) };
    return { taskId: undefined, taskResult: undefined };
  }

  async #sandboxWait(kind: 'v1' | 'v2', req: Record<string, unknown>, options: CallOptions) {
    const method = kind === 'v1' ? 'SandboxWait' : 'SandboxWaitV2';
    const sandbox = this.#find(kind, method, req.sandboxId);
    const timeoutMs = Math.max(0, asNumber(req.timeout) * 1000);
    if (sandbox.result === undefined && timeoutMs > 0) {
      let waiters = this.#waiters.get(sandbox.sandboxId);
      if (!waiters) {
        waiters = new Set();
        this.#waiters.set(sandbox.sandboxId, waiters);
      }
      const holdMs = Math.min(timeoutMs, this.#options.longPollMs ?? 1000);
      await this.#sleep(method, holdMs, options.signal, true, waiters);
    }
    return {
      result: sandbox.result && genericResult(sandbox.result),
      metadata: this.#handleMetadata(sandbox),
    };
  }

  async #sandboxTerminate(kind: 'v1' | 'v2', req: Record<string, unknown>) {
    const method = kind === 'v1' ? 'SandboxTerminate' : 'SandboxTerminateV2';
    const sandbox = this.#find(kind, method, req.sandboxId);
    if (sandbox.result) return { existingResult: genericResult(sandbox.result) };
    this.terminate(sandbox.sandboxId);
    return { existingResult: undefined };
  }

  async #sandboxList(kind: 'v1' | 'v2', req: Record<string, unknown>) {
    const method = kind === 'v1' ? 'SandboxList' : 'SandboxListV2';
    const appId = asString(req.appId);
    const environmentName = asString(req.environmentName);
    if (!appId) this.#checkEnvironment(method, environmentName);
    const before = asNumber(req.beforeTimestamp);
    const wanted = tagList(req.tags);
    const appIds = new Set(
      [...this.#apps.values()]
        .filter((a) => (appId ? a.appId === appId : a.environmentName === environmentName))
        .map((a) => a.appId),
    );
    const matching = [...this.#sandboxes.values()]
      .filter((s) => kind === 'v2' || s.kind === 'v1')
      .filter((s) => appIds.has(s.appId))
      .filter((s) => req.includeFinished === true || s.result === undefined)
      .filter((s) => Object.entries(wanted).every(([k, v]) => s.tags[k] === v))
      .map((s) => ({ sandbox: s, createdAt: this.#sandboxCreatedAt.get(s.sandboxId) ?? 0 }))
      .filter((s) => before === 0 || s.createdAt < before)
      .sort((a, b) => b.createdAt - a.createdAt)
      .slice(0, this.#options.listPageSize ?? 100);
    return {
      sandboxes: matching.map(({ sandbox, createdAt }) => ({
        id: sandbox.sandboxId,
        createdAt,
        taskInfo: {
          id: sandbox.taskId,
          startedAt: sandbox.scheduledAt / 1000,
          finishedAt: (sandbox.finishedAt ?? 0) / 1000,
          result: sandbox.result && genericResult(sandbox.result),
          enqueuedAt: sandbox.createdAt / 1000,
          gpuType: sandbox.gpu ?? '',
          sandboxId: sandbox.sandboxId,
          snapshotBehavior: 0,
          gpuConfig: undefined,
        },
        appId: sandbox.appId,
        tags: toTagList(sandbox.tags),
        name: sandbox.name ?? '',
        imageId: sandbox.imageId,
        resourceInfo: undefined,
        regions: [],
        timeoutSecs: sandbox.timeoutSecs,
        idleTimeoutSecs: undefined,
        readyAt: undefined,
        readinessProbe: undefined,
        tunnels: [],
        metadata: undefined,
      })),
    };
  }

  async #sandboxTagsGet(kind: 'v1' | 'v2', req: Record<string, unknown>) {
    const sandbox = this.#find(
      kind,
      kind === 'v1' ? 'SandboxTagsGet' : 'SandboxTagsGetV2',
      req.sandboxId,
    );
    return { tags: toTagList(sandbox.tags) };
  }

  async #sandboxTagsSet(kind: 'v1' | 'v2', req: Record<string, unknown>) {
    const sandbox = this.#find(
      kind,
      kind === 'v1' ? 'SandboxTagsSet' : 'SandboxTagsSetV2',
      req.sandboxId,
    );
    sandbox.tags = tagList(req.tags);
    return {};
  }

  async #sandboxGetFromName(kind: 'v1' | 'v2', req: Record<string, unknown>) {
    const method = kind === 'v1' ? 'SandboxGetFromName' : 'SandboxGetFromNameV2';
    const environmentName = asString(req.environmentName);
    const app = this.#apps.get(`${environmentName}/${asString(req.appName)}`);
    const name = asString(req.sandboxName);
    const candidates = [...this.#sandboxes.values()]
      .filter((s) => app && s.appId === app.appId && s.name === name)
      .filter((s) => kind === 'v2' || s.kind === 'v1');
    const sandbox =
      candidates.find((s) => s.result === undefined) ??
      (req.includeTerminated === true ? candidates.at(-1) : undefined);
    if (!sandbox) throw rpcError(method, Status.NOT_FOUND, `Sandbox '${name}' not found`);
    return { sandboxId: sandbox.sandboxId, metadata: undefined };
  }

  #finish(sandboxId: string, result: FakeResult): void {
    const sandbox = this.#sandboxes.get(sandboxId);
    if (!sandbox) throw new Error(`FakeModal: no sandbox ${sandboxId}`);
    if (sandbox.result) return;
    sandbox.result = result;
    sandbox.finishedAt = this.#now();
    this.#liveCount -= 1;
    if (sandbox.name !== undefined) this.#liveNames.delete(`${sandbox.appId}/${sandbox.name}`);
    const waiters = this.#waiters.get(sandboxId);
    this.#waiters.delete(sandboxId);
    for (const wake of [...(waiters ?? [])]) wake();
    for (const listener of [...this.#exitListeners]) {
      try {
        listener(sandbox);
      } catch (error) {
        this.listenerErrors.push(error);
      }
    }
  }
}

/** Methods of ModalClientDefinition that stream responses (nice-grpc needs to know). */
const SERVER_STREAMING = new Set([
  'AppGetLogs',
  'ContainerExecGetOutput',
  'DictContents',
  'FunctionCallGetDataIn',
  'FunctionCallGetDataOut',
  'ImageJoinStreaming',
  'SandboxGetLogs',
  'SharedVolumeListFilesStream',
  'VolumeListFiles',
  'VolumeListFiles2',
  'WorkspaceBillingReport',
]);

/** The SDK's timeout middleware, which it does not export: abort after `timeoutMs`. */
async function* timeoutMiddleware(
  call: ClientMiddlewareCall<unknown, unknown>,
  options: CallOptions & { timeoutMs?: number },
): AsyncGenerator<unknown, unknown, undefined> {
  const { timeoutMs, signal, ...rest } = options;
  if (!timeoutMs || signal?.aborted) return yield* call.next(call.request, options);
  const controller = new AbortController();
  const onAbort = () => controller.abort();
  signal?.addEventListener('abort', onAbort);
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, timeoutMs);
  try {
    return yield* call.next(call.request, { ...rest, signal: controller.signal });
  } finally {
    signal?.removeEventListener('abort', onAbort);
    clearTimeout(timer);
    if (timedOut) {
      // eslint-disable-next-line no-unsafe-finally
      throw new ClientError(
        call.method.path,
        Status.DEADLINE_EXCEEDED,
        `Timed out after ${timeoutMs}ms`,
      );
    }
  }
}

interface SdkInternals {
  authMiddleware(profile: ModalClient['profile']): ClientMiddleware;
  retryMiddleware(): ClientMiddleware;
}

/**
 * A stand-in for the SDK's gRPC stub (`cpClient`): every method runs the SDK's own auth and
 * retry middleware (taken from the client), a timeout middleware like the SDK's, then `inner`
 * instead of the network. Built lazily, because the middleware comes from the client it serves.
 */
function sdkStub(getClient: () => ModalClient, inner: ClientMiddleware): unknown {
  let chain: ClientMiddleware | undefined;
  const getChain = (): ClientMiddleware => {
    if (chain) return chain;
    const client = getClient();
    const internals = client as unknown as Partial<SdkInternals>;
    if (
      typeof internals.authMiddleware !== 'function' ||
      typeof internals.retryMiddleware !== 'function'
    ) {
      throw new Error(
        "modal's internals changed (authMiddleware/retryMiddleware): use createFakeModalClient(fake, { transport: 'grpcMiddleware' })",
      );
    }
    // composeClientMiddleware(a, b) runs b first: build from the inside out.
    chain = [
      timeoutMiddleware as unknown as ClientMiddleware,
      internals.retryMiddleware.call(client),
      internals.authMiddleware.call(client, client.profile),
    ].reduce((acc, outer) => composeClientMiddleware(acc, outer), inner);
    return chain;
  };
  const unreachable = () => {
    throw new Error('FakeModal: the fake must answer every call');
  };
  return new Proxy(
    {},
    {
      get(_target, property) {
        if (typeof property !== 'string' || property === 'then') return undefined;
        const name = property.charAt(0).toUpperCase() + property.slice(1);
        const responseStream = SERVER_STREAMING.has(name);
        const method = {
          path: `${SERVICE_PATH_PREFIX}${name}`,
          requestStream: false as const,
          responseStream,
          options: {},
        };
        const run = (request: unknown, options: CallOptions = {}) =>
          getChain()(
            {
              method,
              requestStream: false,
              request,
              responseStream,
              next: unreachable,
            } as unknown as ClientMiddlewareCall<unknown, unknown>,
            options,
          );
        if (responseStream) return run;
        return async (request: unknown, options?: CallOptions) => {
          const result = await run(request, options).next();
          if (!result.done) throw new Error(`FakeModal: ${name} yielded on a unary call`);
          return result.value;
        };
      },
    },
  );
}

export interface FakeModalClientOptions {
  /**
   * `sdk` (default): the fake stands in for the network behind the SDK's own auth, retry and
   * timeout middleware, so AuthTokenGet, auth metadata and the SDK's retries are real.
   * `grpcMiddleware`: the fake is passed as `grpcMiddleware` and answers before all of them.
   */
  readonly transport?: 'sdk' | 'grpcMiddleware';
  /** Backend for CPU sandboxes: V2 (default, like the SDK's default) or V1. */
  readonly sandboxV2?: boolean;
  readonly environment?: string;
  readonly tokenId?: string;
  readonly tokenSecret?: string;
  /** Accepted and ignored by modal@0.11.1 (it reads MODAL_SERVER_URL); nothing connects anyway. */
  readonly endpoint?: string;
  readonly logger?: Logger;
  readonly logLevel?: LogLevel;
}

/**
 * A real `ModalClient` wired to `fake`. Credentials, environment and log level are passed
 * explicitly so that ~/.modal.toml and MODAL_* variables cannot change what the SDK does;
 * `profile.sandboxV2` and `profile.imageBuilderVersion` are pinned for the same reason. With the
 * default `sdk` transport no gRPC channel is even created.
 */
export function createFakeModalClient(
  fake: FakeModal,
  options: FakeModalClientOptions = {},
): ModalClient {
  return (options.transport ?? 'sdk') === 'sdk'
    ? createModalClientOver(fake.transportMiddleware, options)
    : createModalClientWith({ grpcMiddleware: [fake.middleware] }, options);
}

/**
 * A real `ModalClient` whose network is `transport` (a middleware that answers every call),
 * behind the SDK's own auth, retry and timeout middleware: the fake in this process, or a
 * bridge to a fake in another process (fake-modal-bridge.ts).
 */
export function createModalClientOver(
  transport: ClientMiddleware,
  options: Omit<FakeModalClientOptions, 'transport'> = {},
): ModalClient {
  // The stub is called only after the constructor returned, so `client` is set by then.
  const getClient = (): ModalClient => client;
  const client: ModalClient = createModalClientWith(
    { cpClient: sdkStub(getClient, transport) as ModalClientParams['cpClient'] },
    options,
  );
  return client;
}

function createModalClientWith(
  wiring: Pick<ModalClientParams, 'cpClient' | 'grpcMiddleware'>,
  options: Omit<FakeModalClientOptions, 'transport'>,
): ModalClient {
  const client = new ModalClient({
    tokenId: options.tokenId ?? 'ak-test',
    tokenSecret: options.tokenSecret ?? 'as-test',
    environment: options.environment ?? 'test',
    endpoint: options.endpoint ?? 'http://127.0.0.1:1',
    logLevel: options.logLevel ?? 'error',
    ...(options.logger ? { logger: options.logger } : {}),
    ...wiring,
  });
  client.profile.sandboxV2 = options.sandboxV2 ?? true;
  // The SDK dials a V2 task's command router in plaintext only when the profile's server is
  // local; the fake's router (fake-command-router.ts) listens on loopback without TLS.
  client.profile.serverUrl = 'http://127.0.0.1:1';
  client.profile.imageBuilderVersion = undefined;
  return client;
}
