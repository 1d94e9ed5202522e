/**
 * A sandbox's stdin in the fake Modal. V1: SandboxStdinWrite through the control plane, chunks
 * numbered from 1. V2: the control plane hands out the task's command router (URL and JWT, on
 * SandboxCreateV2 or SandboxGetCommandRouterAccess) and the SDK writes there
 * (command-router.ts), at byte offsets. Either way a retried write changes nothing. The command
 * router also runs `exec` for both kinds (a V1 task gets its access by TaskGetCommandRouterAccess).
 */
import { Status } from 'nice-grpc-common';
import type { ExecBackend } from './command-router-exec.js';
import { FakeCommandRouter, type StdinWrite } from './command-router.js';
import type { FakeSandbox } from './sandboxes.js';
import type { SandboxKind } from './sandbox-definition.js';
import { asNumber, fakeJwt, notify, rpcError, type Handler } from './wire.js';

export interface StdinDeps {
  readonly now: () => number;
  readonly get: (sandboxId: string) => FakeSandbox | undefined;
  readonly find: (kind: SandboxKind, method: string, sandboxId: unknown) => FakeSandbox;
  readonly listenerErrors: unknown[];
  /** Runs an `exec` in a sandbox (the command router's TaskExec* methods). */
  readonly exec: (
    sandbox: FakeSandbox,
    command: readonly string[],
  ) => ReturnType<ExecBackend['exec']>;
  /** The sandbox whose task this is (TaskGetCommandRouterAccess, for V1 sandboxes). */
  readonly byTask: (taskId: string) => FakeSandbox | undefined;
}

export class FakeStdinChannels {
  /** SandboxStdinWrite and SandboxGetCommandRouterAccess. */
  readonly handlers: Readonly<Record<string, Handler>>;
  readonly #deps: StdinDeps;
  /** The command router of V2 tasks, started with the first V2 sandbox. */
  #router: FakeCommandRouter | undefined;
  readonly #taskJwts = new Map<string, string>();
  readonly #taskSandboxes = new Map<string, string>();
  readonly #v1Index = new Map<string, number>();
  readonly #listeners = new Set<(sandbox: FakeSandbox) => void>();

  constructor(deps: StdinDeps) {
    this.#deps = deps;
    this.handlers = {
      SandboxStdinWrite: (req) => this.#stdinWriteV1(req),
      SandboxGetCommandRouterAccess: (req) =>
        this.routerAccess(deps.find('v2', 'SandboxGetCommandRouterAccess', req.sandboxId)),
      // V1 (GPU) sandboxes reach their task's command router by task ID (exec only: V1 stdin
      // goes through the control plane).
      TaskGetCommandRouterAccess: (req) => {
        const sandbox = deps.byTask(String(req.taskId ?? ''));
        if (!sandbox) {
          throw rpcError(
            'TaskGetCommandRouterAccess',
            Status.NOT_FOUND,
            `task ${String(req.taskId)} not found`,
          );
        }
        return this.routerAccess(sandbox);
      },
    };
  }

  /** The URL and JWT with which the SDK reaches the task's command router. */
  async routerAccess(sandbox: FakeSandbox): Promise<{ url: string; jwt: string }> {
    this.#router ??= new FakeCommandRouter({
      jwtOf: (taskId) => this.#taskJwts.get(taskId),
      writeStdin: (write) => this.#writeV2(write),
      exec: (taskId, command) => {
        const sandbox = this.#deps.get(this.#taskSandboxes.get(taskId) ?? '');
        if (!sandbox) throw { code: Status.NOT_FOUND, details: `task ${taskId} not found` };
        if (sandbox.result) throw { code: Status.FAILED_PRECONDITION, details: 'sandbox finished' };
        return this.#deps.exec(sandbox, command);
      },
    });
    let jwt = this.#taskJwts.get(sandbox.taskId);
    if (jwt === undefined) {
      jwt = fakeJwt(Math.floor(this.#deps.now() / 1000) + 3600);
      this.#taskJwts.set(sandbox.taskId, jwt);
      this.#taskSandboxes.set(sandbox.taskId, sandbox.sandboxId);
    }
    return { url: await this.#router.url(), jwt };
  }

  /** Called after every stdin write to any sandbox. */
  onStdin(listener: (sandbox: FakeSandbox) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  close(): void {
    this.#router?.close();
  }

  #append(sandbox: FakeSandbox, text: string, eof: boolean): void {
    if (sandbox.stdin.eof) return;
    sandbox.stdin.firstWriteAt ??= this.#deps.now();
    sandbox.stdin.text += text;
    sandbox.stdin.eof = eof;
    notify(this.#listeners, sandbox, this.#deps.listenerErrors);
  }

  /** V2, from the command router: bytes at `offset`; a write already applied changes nothing. */
  #writeV2(write: StdinWrite): void {
    const sandbox = this.#deps.get(this.#taskSandboxes.get(write.taskId) ?? '');
    if (!sandbox) throw { code: Status.NOT_FOUND, details: `task ${write.taskId} not found` };
    if (sandbox.result) throw { code: Status.FAILED_PRECONDITION, details: 'sandbox finished' };
    const have = Buffer.byteLength(sandbox.stdin.text);
    if (write.offset > have) {
      throw { code: Status.OUT_OF_RANGE, details: `offset ${write.offset} past ${have}` };
    }
    const fresh = Buffer.from(write.data)
      .subarray(have - write.offset)
      .toString('utf8');
    this.#append(sandbox, fresh, write.eof);
  }

  /** V1, through the control plane: chunks numbered from 1; a repeated index changes nothing. */
  async #stdinWriteV1(req: Record<string, unknown>) {
    const sandbox = this.#deps.find('v1', 'SandboxStdinWrite', req.sandboxId);
    if (sandbox.result) {
      throw rpcError('SandboxStdinWrite', Status.FAILED_PRECONDITION, 'sandbox finished');
    }
    const index = asNumber(req.index);
    const last = this.#v1Index.get(sandbox.sandboxId) ?? 0;
    if (index <= last) return {};
    this.#v1Index.set(sandbox.sandboxId, index);
    const input = req.input instanceof Uint8Array ? Buffer.from(req.input).toString('utf8') : '';
    this.#append(sandbox, input, req.eof === true);
    return {};
  }
}
