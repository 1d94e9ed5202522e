import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
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

interface BridgeRequest {
  path: string;
  responseStream: boolean;
  request: unknown;
  metadata: Record<string, string>;
}

type BridgeResponse =
  { ok: true; values: unknown[]; value: unknown } | { ok: false; code: Status; details: string };

/**
 * Serves a FakeModal in this process to a server in another process over loopback HTTP, so that
 * Modal's state outlives a server killed with SIGKILL, as the real Modal's does.
 */
export async function serveFakeModal(
  fake: FakeModal,
): Promise<{ url: string; close(): Promise<void> }> {
  const server: Server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const call = deserialize(Buffer.concat(chunks)) as BridgeRequest;
    const controller = new AbortController();
    res.on('close', () => {
      if (!res.writableFinished) controller.abort();
    });
    let answer: BridgeResponse;
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
      answer = { ok: true, values, value: step.value };
    } catch (error) {
      answer =
        error instanceof ClientError
          ? { ok: false, code: error.code, details: error.details }
          : { ok: false, code: Status.INTERNAL, details: (error as Error).message };
    }
    if (!res.destroyed) res.end(serialize(answer));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/rpc`,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** The other end: a transport middleware that forwards every call to `serveFakeModal`. */
export function bridgeTransport(url: string): ClientMiddleware {
  return async function* bridge(
    call: ClientMiddlewareCall<unknown, unknown>,
    options: CallOptions,
  ): AsyncGenerator<unknown, unknown, undefined> {
    const metadata: Record<string, string> = {};
    for (const [key, values] of options.metadata ?? Metadata()) {
      const first = values[0];
      if (typeof first === 'string') metadata[key] = first;
    }
    const body: BridgeRequest = {
      path: call.method.path,
      responseStream: call.responseStream,
      request: call.request,
      metadata,
    };
    let answer: BridgeResponse;
    try {
      const response = await fetch(url, {
        method: 'POST',
        body: serialize(body),
        ...(options.signal ? { signal: options.signal } : {}),
      });
      answer = deserialize(Buffer.from(await response.arrayBuffer())) as BridgeResponse;
    } catch (error) {
      if (options.signal?.aborted) throw error;
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
