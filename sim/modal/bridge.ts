import {
  Client,
  Server,
  ServerCredentials,
  credentials,
  type ServerUnaryCall,
  type sendUnaryData,
} from '@grpc/grpc-js';
import { deserialize, serialize } from 'node:v8';
import {
  ClientError,
  Metadata,
  Status,
  type CallOptions,
  type ClientMiddleware,
  type ClientMiddlewareCall,
} from 'nice-grpc-common';
import type { FakeModal } from './fake-modal.js';

export interface BridgeRequest {
  path: string;
  responseStream: boolean;
  request: unknown;
  metadata: Record<string, string>;
  /** When the calling process handed the call to its gRPC client (epoch ms, sub-ms). */
  sentAt: number;
}

type BridgeResponse =
  { ok: true; values: unknown[]; value: unknown } | { ok: false; code: Status; details: string };

/** The bridge's one gRPC method: a call to the fake, as a V8-serialized BridgeRequest. */
const BRIDGE_PATH = '/fake.modal.Bridge/Call';
const encode = (value: unknown): Buffer => serialize(value);
const decode = (buffer: Buffer): unknown => deserialize(buffer);

/**
 * Serves a FakeModal in this process to a server in another process over loopback gRPC (the same
 * library and HTTP/2 connection handling as the SDK's transport to Modal; only the messages are
 * V8-serialized instead of protobuf), so that Modal's state outlives a server killed with
 * SIGKILL, as the real Modal's does.
 */
export async function serveFakeModal(
  fake: FakeModal,
  options: {
    /** Sees every call as it arrives (the benchmark times the transport with `sentAt`). */
    readonly onCall?: (call: BridgeRequest) => void;
  } = {},
): Promise<{ url: string; close(): Promise<void> }> {
  const server = new Server();
  const handle = async (
    rpc: ServerUnaryCall<BridgeRequest, BridgeResponse>,
    callback: sendUnaryData<BridgeResponse>,
  ): Promise<void> => {
    const call = rpc.request;
    options.onCall?.(call);
    const controller = new AbortController();
    rpc.on('cancelled', () => controller.abort());
    let result: BridgeResponse;
    try {
      const generator = fake.transportMiddleware(
        {
          method: {
            path: call.path,
            requestStream: false,
            responseStream: call.responseStream,
            options: {},
          },
          requestStream: false,
          request: call.request,
          responseStream: call.responseStream,
          next: () => {
            throw new Error('the fake answers every call');
          },
        } as unknown as ClientMiddlewareCall<unknown, unknown>,
        { metadata: Metadata(call.metadata), signal: controller.signal },
      );
      const values: unknown[] = [];
      let step = await generator.next();
      while (!step.done) {
        values.push(step.value);
        step = await generator.next();
      }
      result = { ok: true, values, value: step.value };
    } catch (error) {
      result =
        error instanceof ClientError
          ? { ok: false, code: error.code, details: error.details }
          : { ok: false, code: Status.INTERNAL, details: (error as Error).message };
    }
    if (!rpc.cancelled) callback(null, result);
  };
  server.register(
    BRIDGE_PATH,
    (rpc: ServerUnaryCall<BridgeRequest, BridgeResponse>, cb: sendUnaryData<BridgeResponse>) =>
      void handle(rpc, cb),
    encode,
    decode as (buffer: Buffer) => BridgeRequest,
    'unary',
  );
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (error, bound) =>
      error ? reject(error) : resolve(bound),
    ),
  );
  return {
    url: `grpc://127.0.0.1:${port}`,
    async close() {
      server.forceShutdown();
    },
  };
}

/** The other end: a transport middleware that forwards every call to `serveFakeModal`. */
export function bridgeTransport(url: string): ClientMiddleware {
  const client = new Client(new URL(url).host, credentials.createInsecure());
  const send = (body: BridgeRequest, signal: AbortSignal | undefined): Promise<BridgeResponse> =>
    new Promise((resolve, reject) => {
      const call = client.makeUnaryRequest<BridgeRequest, BridgeResponse>(
        BRIDGE_PATH,
        encode,
        decode as (buffer: Buffer) => BridgeResponse,
        body,
        (error, value) => (error || value === undefined ? reject(error) : resolve(value)),
      );
      signal?.addEventListener('abort', () => call.cancel(), { once: true });
    });
  return async function* bridge(
    call: ClientMiddlewareCall<unknown, unknown>,
    options: CallOptions,
  ): AsyncGenerator<unknown, unknown, undefined> {
    const metadata: Record<string, string> = {};
    for (const [key, values] of options.metadata ?? Metadata()) {
      const first = values[0];
      if (typeof first === 'string') metadata[key] = first;
    }
    let answer: BridgeResponse;
    try {
      answer = await send(
        {
          path: call.method.path,
          responseStream: call.responseStream,
          request: call.request,
          metadata,
          sentAt: performance.timeOrigin + performance.now(),
        },
        options.signal,
      );
    } catch (error) {
      // As an aborted call always has: it rejects with the signal's reason (an AbortError).
      options.signal?.throwIfAborted();
      throw new ClientError(
        call.method.path,
        Status.UNAVAILABLE,
        `fake Modal bridge: ${(error as Error).message}`,
      );
    }
    if (!answer.ok) throw new ClientError(call.method.path, answer.code, answer.details);
    for (const value of answer.values) yield value;
    return answer.value;
  } as unknown as ClientMiddleware;
}
