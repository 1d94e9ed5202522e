/**
 * `Sandbox.exec` on the fake command router: TaskExecStart runs the command at once against the
 * fake's sandbox (`ExecBackend`), TaskExecStdioRead streams its stdout or stderr from an offset
 * and ends (end of stream is EOF to the SDK), TaskExecWait answers its exit code. Field numbers
 * are those of the SDK's `TaskExecStartRequest` (task_id 1, exec_id 2, command_args 3),
 * `TaskExecStdioReadRequest` (task_id 1, exec_id 2, offset 3, file_descriptor 4: 0 stdout,
 * 1 stderr), `TaskExecStdioReadResponse` (data 1) and `TaskExecWaitResponse` (code 1).
 */
import {
  status as GrpcStatus,
  type ServerUnaryCall,
  type ServerWritableStream,
  type ServiceDefinition,
  type UntypedServiceImplementation,
  type sendUnaryData,
} from '@grpc/grpc-js';
import {
  bytesField,
  numberOf,
  readProtoFields,
  stringOf,
  stringsOf,
  varintField,
} from './proto-fields.js';

export interface ExecResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export interface ExecBackend {
  /** Runs `command` in the task's sandbox; throws `{ code, details }` to refuse it. */
  exec(taskId: string, command: readonly string[]): ExecResult;
}

type Authorize = (
  taskId: string,
  authorization: unknown,
) => { code: number; details: string } | undefined;

const identity = (value: Buffer) => value;

function method(service: string, name: string, responseStream: boolean) {
  return {
    path: `/${service}/${name}`,
    requestStream: false,
    responseStream,
    requestSerialize: identity,
    requestDeserialize: identity,
    responseSerialize: identity,
    responseDeserialize: identity,
  };
}

/** The exec methods' definitions and implementations, to add to the router's service. */
export function execService(
  service: string,
  backend: ExecBackend,
  authorize: Authorize,
): { definition: ServiceDefinition; implementation: UntypedServiceImplementation } {
  const results = new Map<string, ExecResult>();
  const refused = (taskId: string, call: { metadata: { get(k: string): unknown[] } }) =>
    authorize(taskId, call.metadata.get('authorization')[0]);
  const implementation: UntypedServiceImplementation = {
    TaskExecStart: (call: ServerUnaryCall<Buffer, Buffer>, callback: sendUnaryData<Buffer>) => {
      const fields = readProtoFields(call.request);
      const taskId = stringOf(fields, 1);
      const denied = refused(taskId, call);
      if (denied) return callback(denied);
      try {
        results.set(stringOf(fields, 2), backend.exec(taskId, stringsOf(fields, 3)));
        callback(null, Buffer.alloc(0));
      } catch (error) {
        const { code, details } = error as { code?: number; details?: string };
        callback({ code: code ?? GrpcStatus.INTERNAL, details: details ?? String(error) });
      }
    },
    TaskExecStdioRead: (call: ServerWritableStream<Buffer, Buffer>) => {
      const fields = readProtoFields(call.request);
      const denied = refused(stringOf(fields, 1), call);
      if (denied) return call.destroy(Object.assign(new Error(denied.details), denied));
      const result = results.get(stringOf(fields, 2));
      if (!result) {
        return call.destroy(
          Object.assign(new Error('exec not found'), { code: GrpcStatus.NOT_FOUND }),
        );
      }
      const text = numberOf(fields, 4) === 1 ? result.stderr : result.stdout;
      const data = Buffer.from(text).subarray(numberOf(fields, 3));
      if (data.length > 0) call.write(bytesField(1, data));
      call.end();
    },
    TaskExecWait: (call: ServerUnaryCall<Buffer, Buffer>, callback: sendUnaryData<Buffer>) => {
      const fields = readProtoFields(call.request);
      const denied = refused(stringOf(fields, 1), call);
      if (denied) return callback(denied);
      const result = results.get(stringOf(fields, 2));
      if (!result) return callback({ code: GrpcStatus.NOT_FOUND, details: 'exec not found' });
      callback(null, varintField(1, result.code));
    },
  };
  return {
    definition: {
      TaskExecStart: method(service, 'TaskExecStart', false),
      TaskExecStdioRead: method(service, 'TaskExecStdioRead', true),
      TaskExecWait: method(service, 'TaskExecWait', false),
    },
    implementation,
  };
}
