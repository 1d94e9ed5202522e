import { Server, ServerCredentials, type ServerUnaryCall, type sendUnaryData } from '@grpc/grpc-js';
import { deserialize, serialize } from 'node:v8';
import { nowMs } from './now-ms.js';

/** What the empty Probot app sends from its webhook handler (V8-serialized, as the bridge). */
export interface DispatchRequest {
  readonly jobId: number;
  /** When the handler started on the webhook (epoch ms, sub-ms): "received" in the server. */
  readonly receivedAt: number;
}

export const DISPATCH_PATH = '/bench.Floor/Dispatch';
/** One webhook in this many makes the empty Probot app send its gRPC call. */
export const DISPATCH_EVERY = 20;
/** Whether the sender dispatches for this job: the one rule for the sender and the receiver. */
export const dispatchesFor = (jobId: number, every: number = DISPATCH_EVERY): boolean =>
  jobId % every === 0;
export const encodeDispatch = (value: unknown): Buffer => serialize(value);
export const decodeDispatch = (buffer: Buffer): DispatchRequest =>
  deserialize(buffer) as DispatchRequest;

export interface DispatchReceiver {
  readonly url: string;
  /** Per job: webhook received by the handler → call received here, ms. */
  readonly delays: ReadonlyMap<number, number>;
  close(): void;
}

/**
 * The receiving end of the dispatch floor: a loopback gRPC server (@grpc/grpc-js, as the fake
 * Modal's bridge) that stamps when each call arrives. The sender is bench/probot-empty-server.ts.
 */
export async function startDispatchReceiver(): Promise<DispatchReceiver> {
  const delays = new Map<number, number>();
  const server = new Server();
  server.register(
    DISPATCH_PATH,
    (rpc: ServerUnaryCall<DispatchRequest, null>, callback: sendUnaryData<null>) => {
      const arrived = nowMs();
      delays.set(rpc.request.jobId, arrived - rpc.request.receivedAt);
      callback(null, null);
    },
    encodeDispatch,
    decodeDispatch,
    'unary',
  );
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (error, bound) =>
      error ? reject(error) : resolve(bound),
    ),
  );
  return { url: `127.0.0.1:${port}`, delays, close: () => server.forceShutdown() };
}
