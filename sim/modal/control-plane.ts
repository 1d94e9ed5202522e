/**
 * The fake Modal's control plane proper: the request log, injected faults and latency, auth
 * (AuthTokenGet and the `x-modal-auth-token` check), apps and environments, and the middleware
 * that dispatches each RPC to its handler in the method table (built by fake-modal.ts).
 */
import {
  Status,
  type CallOptions,
  type ClientMiddleware,
  type ClientMiddlewareCall,
} from 'nice-grpc-common';
import type { FakeModalOptions } from './options.js';
import {
  abortError,
  asRecord,
  asString,
  fakeJwt,
  metadataRecord,
  randomId,
  rpcError,
  SERVICE_PATH_PREFIX,
  type Handler,
} from './wire.js';

const OBJECT_CREATION_TYPE_CREATE_IF_MISSING = 1;
/** Response streams the fake answers with one message. */
const ONE_ANSWER_STREAMS = new Set(['ImageJoinStreaming', 'VolumeListFiles2']);

export interface RecordedCall {
  /** The RPC name, for example `SandboxCreateV2`. */
  readonly method: string;
  /** The request object the SDK passed to the stub (a deep copy). */
  readonly request: unknown;
  /** gRPC metadata the SDK attached (auth headers included). */
  readonly metadata: Readonly<Record<string, string>>;
  readonly at: number;
}

interface Fault {
  readonly code: Status;
  readonly details: string;
  readonly afterEffect: boolean;
  remaining: number;
}

interface FakeApp {
  readonly appId: string;
  readonly name: string;
  readonly environmentName: string;
}

export class FakeControlPlane {
  /** Every RPC the SDK made, in order. */
  readonly calls: RecordedCall[] = [];
  /** Per-RPC latency in milliseconds, for example `{ SandboxCreateV2: 200 }`. Mutable. */
  readonly latencyMs: Record<string, number>;
  /** AuthTokenGet, AppGetOrCreate and EnvironmentGetOrCreate. */
  readonly handlers: Readonly<Record<string, Handler>>;

  readonly #options: FakeModalOptions;
  readonly #now: () => number;
  readonly #apps = new Map<string, FakeApp>();
  readonly #faults = new Map<string, Fault[]>();
  readonly #issuedTokens = new Set<string>();
  readonly #closeListeners = new Set<() => void>();
  #closed = false;

  constructor(options: FakeModalOptions, now: () => number) {
    this.#options = options;
    this.#now = now;
    this.latencyMs = { ...options.latencyMs };
    this.handlers = {
      AuthTokenGet: (_req, opts) => this.#authTokenGet(opts),
      AppGetOrCreate: (req) => this.#appGetOrCreate(req),
      EnvironmentGetOrCreate: (req) => this.#environmentGetOrCreate(req),
    };
  }

  /**
   * A middleware answering every call from `methods`. `checkAuth`: expects the SDK's auth
   * middleware in front (checks `x-modal-auth-token`); without it, nothing is checked.
   */
  middleware(methods: Readonly<Record<string, Handler>>, checkAuth: boolean): ClientMiddleware {
    const dispatch = (method: string, request: unknown, options: CallOptions) =>
      this.#dispatch(methods, method, request, options, checkAuth);
    const record = (method: string, request: unknown, options: CallOptions) =>
      this.#record(method, request, options);
    return async function* fakeModalMiddleware(
      call: ClientMiddlewareCall<unknown, unknown>,
      options: CallOptions,
    ): AsyncGenerator<unknown, unknown, undefined> {
      const method = call.method.path.startsWith(SERVICE_PATH_PREFIX)
        ? call.method.path.slice(SERVICE_PATH_PREFIX.length)
        : call.method.path;
      if (call.requestStream || (call.responseStream && !ONE_ANSWER_STREAMS.has(method))) {
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

  /** The next `count` calls of `method` fail with `code`. `afterEffect`: the call takes effect first. */
  failNext(
    method: string,
    code: Status,
    count: number,
    options: { details?: string; afterEffect?: boolean },
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

  /** Ends every injected fault (an outage is over). */
  clearFaults(): void {
    this.#faults.clear();
  }

  hasApp(appId: string): boolean {
    return [...this.#apps.values()].some((a) => a.appId === appId);
  }

  /** The app `appId`, or without one every app of `environmentName`. */
  appIdsOf(appId: string, environmentName: string): Set<string> {
    return new Set(
      [...this.#apps.values()]
        .filter((a) => (appId ? a.appId === appId : a.environmentName === environmentName))
        .map((a) => a.appId),
    );
  }

  appIdNamed(environmentName: string, appName: string): string | undefined {
    return this.#apps.get(`${environmentName}/${appName}`)?.appId;
  }

  checkEnvironment(method: string, environmentName: string): void {
    const known = this.#options.environments;
    if (known && environmentName !== '' && !known.includes(environmentName)) {
      throw rpcError(method, Status.NOT_FOUND, `Environment '${environmentName}' not found`);
    }
  }

  /**
   * Resolves after `ms`, or early when `wake` fires; rejects on abort or `close()`. `unref`:
   * does not keep Node alive.
   */
  sleep(
    method: string,
    ms: number,
    signal: AbortSignal | undefined,
    unref: boolean,
    wake?: Set<() => void>,
  ): Promise<void> {
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

  /** Fails pending sleeps and every later call (FAILED_PRECONDITION). */
  close(): void {
    this.#closed = true;
    for (const listener of [...this.#closeListeners]) listener();
    this.#closeListeners.clear();
  }

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
    methods: Readonly<Record<string, Handler>>,
    method: string,
    request: unknown,
    options: CallOptions,
    checkAuth: boolean,
  ): Promise<unknown> {
    this.#record(method, request, options);
    if (this.#closed) throw rpcError(method, Status.FAILED_PRECONDITION, 'FakeModal is closed');
    const handler = methods[method];
    if (!handler) {
      throw rpcError(method, Status.UNIMPLEMENTED, `FakeModal does not implement ${method}`);
    }
    if (checkAuth && method !== 'AuthTokenGet') this.#checkAuthToken(method, options);
    const fault = this.#takeFault(method);
    if (fault && !fault.afterEffect) throw rpcError(method, fault.code, fault.details);
    const latency = this.latencyMs[method] ?? 0;
    if (latency > 0) await this.sleep(method, latency, options.signal, false);
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

  async #appGetOrCreate(req: Record<string, unknown>) {
    const appName = asString(req.appName);
    const environmentName = asString(req.environmentName);
    this.checkEnvironment('AppGetOrCreate', environmentName);
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
    this.checkEnvironment('EnvironmentGetOrCreate', name);
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
}
