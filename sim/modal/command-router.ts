/**
 * A fake of Modal's per-task command router: the gRPC service a V2 sandbox's stdin (and exec)
 * goes through. The `modal` SDK dials it itself, with real gRPC, at the URL and with the JWT the
 * control plane hands out (SandboxCreateV2's `commandRouterAccess`, or
 * SandboxGetCommandRouterAccess); over plaintext because the fake client's profile points at
 * localhost. Being a real TCP server, a server process other than this one can dial it too.
 *
 * Implemented: SandboxStdinWriteV2 (offsets honoured, so a retried write changes nothing), and
 * `exec` (TaskExecStart, TaskExecStdioRead, TaskExecWait: command-router-exec.ts) for the
 * commands the fake sandbox knows. Every other method answers UNIMPLEMENTED.
 */
import {
  Server,
  ServerCredentials,
  status as GrpcStatus,
  type ServerUnaryCall,
  type sendUnaryData,
  type UntypedServiceImplementation,
} from '@grpc/grpc-js';
import { execService, type ExecBackend } from './command-router-exec.js';
import { numberOf, readProtoFields, stringOf } from './proto-fields.js';

const SERVICE = 'modal.task_command_router.TaskCommandRouter';

export interface StdinWrite {
  readonly taskId: string;
  readonly offset: number;
  readonly data: Uint8Array;
  readonly eof: boolean;
}

/** Decodes `SandboxStdinWriteV2Request { string task_id = 1; uint64 offset = 2; bytes data = 3; bool eof = 4; }`. */
export function decodeStdinWrite(buffer: Buffer): StdinWrite {
  const fields = readProtoFields(buffer);
  const data = fields.find((f) => f.field === 3)?.value;
  return {
    taskId: stringOf(fields, 1),
    offset: numberOf(fields, 2),
    data: Buffer.isBuffer(data) ? new Uint8Array(data) : new Uint8Array(0),
    eof: numberOf(fields, 4) !== 0,
  };
}

export interface CommandRouterBackend extends ExecBackend {
  /** The JWT the control plane issued for this task, or undefined for an unknown task. */
  jwtOf(taskId: string): string | undefined;
  /** Applies a write; throws a gRPC-status error (`{ code, details }`) to refuse it. */
  writeStdin(write: StdinWrite): void;
}

export class FakeCommandRouter {
  readonly #server = new Server();
  readonly #ready: Promise<string>;
  /** Every stdin write received (after the JWT check), for assertions. */
  readonly writes: StdinWrite[] = [];

  constructor(backend: CommandRouterBackend) {
    const authorize = (taskId: string, auth: unknown) => {
      const jwt = backend.jwtOf(taskId);
      if (jwt === undefined)
        return { code: GrpcStatus.NOT_FOUND, details: `task ${taskId} not found` };
      if (auth !== `Bearer ${jwt}`) {
        return { code: GrpcStatus.UNAUTHENTICATED, details: 'bad command router JWT' };
      }
      return undefined;
    };
    const exec = execService(SERVICE, backend, authorize);
    const implementation: UntypedServiceImplementation = {
      ...exec.implementation,
      SandboxStdinWriteV2: (
        call: ServerUnaryCall<StdinWrite, Buffer>,
        callback: sendUnaryData<Buffer>,
      ) => {
        const write = call.request;
        const denied = authorize(write.taskId, call.metadata.get('authorization')[0]);
        if (denied) {
          callback(denied);
          return;
        }
        try {
          backend.writeStdin(write);
          this.writes.push(write);
          callback(null, Buffer.alloc(0));
        } catch (error) {
          const { code, details } = error as { code?: number; details?: string };
          callback({ code: code ?? GrpcStatus.INTERNAL, details: details ?? String(error) });
        }
      },
    };
    this.#server.addService(
      {
        ...exec.definition,
        SandboxStdinWriteV2: {
          path: `/${SERVICE}/SandboxStdinWriteV2`,
          requestStream: false,
          responseStream: false,
          requestSerialize: () => Buffer.alloc(0),
          requestDeserialize: decodeStdinWrite,
          responseSerialize: (value: Buffer) => value,
          responseDeserialize: (value: Buffer) => value,
        },
      },
      implementation,
    );
    this.#ready = new Promise((resolve, reject) => {
      this.#server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (error, port) => {
        if (error) reject(error);
        // The SDK insists on an https URL; it still dials plaintext for a localhost profile.
        else resolve(`https://127.0.0.1:${port}`);
      });
    });
  }

  /** The URL handed to the SDK, once the server listens. */
  url(): Promise<string> {
    return this.#ready;
  }

  close(): void {
    this.#server.forceShutdown();
  }
}
