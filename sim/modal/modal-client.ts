/**
 * Real `ModalClient`s wired to a fake Modal, never to the network.
 *
 * Two ways to plug the fake in (`createFakeModalClient`):
 * - `sdk` (default): in place of the network, behind the SDK's own auth and retry middleware.
 *   AuthTokenGet happens, auth metadata is checked, and the SDK retries what it retries:
 *   UNAVAILABLE, INTERNAL, DEADLINE_EXCEEDED, CANCELLED and UNKNOWN up to 3 times (about 0.7 s)
 *   before the caller sees them, so use `failNext(..., count >= 4)` to make one surface.
 * - `grpcMiddleware: [fake.middleware]`: the documented hook. nice-grpc runs it before the
 *   SDK's own middleware, so there is no auth and no retry: every fault surfaces at once.
 *
 * `createModalClientOver` takes any transport middleware: the bridge (bridge.ts) uses it to
 * reach a fake in another process.
 */
import { ModalClient, type LogLevel, type Logger, type ModalClientParams } from 'modal';
import {
  ClientError,
  composeClientMiddleware,
  Status,
  type CallOptions,
  type ClientMiddleware,
  type ClientMiddlewareCall,
} from 'nice-grpc-common';
import type { FakeModal } from './fake-modal.js';
import { SERVICE_PATH_PREFIX } from './wire.js';

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
 * bridge to a fake in another process (bridge.ts).
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
  // local; the fake's router (command-router.ts) listens on loopback without TLS.
  client.profile.serverUrl = 'http://127.0.0.1:1';
  client.profile.imageBuilderVersion = undefined;
  return client;
}
