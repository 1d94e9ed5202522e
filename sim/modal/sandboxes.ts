/**
 * The fake Modal's sandboxes and their lifecycle, V1 (SandboxCreate, GPU) and V2
 * (SandboxCreateV2): creation, scheduling (SandboxGetTaskId), the SandboxWait long-poll,
 * termination, and the ways a sandbox ends (exit, terminate, expire) with their listeners.
 * Queries (list, tags, by name) are in sandbox-queries.ts; stdin in stdin.ts.
 */
import { Status, type CallOptions } from 'nice-grpc-common';
import type { FakeModalOptions } from './options.js';
import {
  readSandboxDefinition,
  type DefinitionLookups,
  type SandboxDefinition,
  type SandboxKind,
} from './sandbox-definition.js';
import {
  asNumber,
  asString,
  genericResult,
  GenericStatus,
  notify,
  randomId,
  rpcError,
  type FakeResult,
  type Handler,
} from './wire.js';

export interface FakeStdin {
  text: string;
  /** The writer closed stdin. */
  eof: boolean;
  /** When the first write arrived. */
  firstWriteAt: number | undefined;
}

export interface FakeSandbox extends SandboxDefinition {
  readonly sandboxId: string;
  /** Which backend created it: `v1` (SandboxCreate, GPU) or `v2` (SandboxCreateV2). */
  readonly kind: SandboxKind;
  tags: Record<string, string>;
  /** Milliseconds since the epoch. */
  readonly createdAt: number;
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

export interface SandboxStoreDeps {
  readonly options: FakeModalOptions;
  readonly now: () => number;
  readonly lookups: Omit<DefinitionLookups, 'nameTaken'>;
  /** The control plane's sleep: held long-polls end on `close()`. */
  readonly sleep: (
    method: string,
    ms: number,
    signal: AbortSignal | undefined,
    unref: boolean,
    wake: Set<() => void>,
  ) => Promise<void>;
  /** Where the SDK reaches a V2 task's command router (stdin.ts). */
  readonly routerAccess: (sandbox: FakeSandbox) => Promise<{ url: string; jwt: string }>;
  /** Errors thrown by listeners (the RPC still answers). */
  readonly listenerErrors: unknown[];
}

export class FakeSandboxes {
  /** Every sandbox ever created, in creation order. */
  readonly created: FakeSandbox[] = [];
  /** The highest number of sandboxes running at the same time. */
  maxLiveCount = 0;
  /** Create, get-task-ID, wait and terminate, V1 and V2. */
  readonly handlers: Readonly<Record<string, Handler>>;

  readonly #deps: SandboxStoreDeps;
  readonly #sandboxes = new Map<string, FakeSandbox>();
  /** Creation times as Modal reports them (seconds, strictly increasing): list pages by them. */
  readonly #createdAtSecs = new Map<string, number>();
  readonly #waiters = new Map<string, Set<() => void>>();
  readonly #createListeners = new Set<(sandbox: FakeSandbox) => void>();
  readonly #exitListeners = new Set<(sandbox: FakeSandbox) => void>();
  /** `appId/name` of running named sandboxes → sandbox ID (names are unique among those). */
  readonly #liveNames = new Map<string, string>();
  #liveCount = 0;
  #lastCreatedAtSecs = 0;

  constructor(deps: SandboxStoreDeps) {
    this.#deps = deps;
    this.handlers = {
      SandboxCreate: (req) => this.#create('v1', req),
      SandboxCreateV2: (req) => this.#create('v2', req),
      SandboxGetTaskId: (req) => this.#getTaskId('v1', req),
      SandboxGetTaskIdV2: (req) => this.#getTaskId('v2', req),
      SandboxWait: (req, opts) => this.#wait('v1', req, opts),
      SandboxWaitV2: (req, opts) => this.#wait('v2', req, opts),
      SandboxTerminate: (req) => this.#terminate('v1', req),
      SandboxTerminateV2: (req) => this.#terminate('v2', req),
    };
  }

  get(sandboxId: string): FakeSandbox | undefined {
    return this.#sandboxes.get(sandboxId);
  }

  all(): FakeSandbox[] {
    return [...this.#sandboxes.values()];
  }

  liveCount(): number {
    return this.#liveCount;
  }

  /** Creation time in seconds as Modal reports it. */
  createdAtSecs(sandboxId: string): number {
    return this.#createdAtSecs.get(sandboxId) ?? 0;
  }

  /**
   * The sandbox, if it exists and was made by the backend this RPC belongs to: the SDK picks
   * V1 or V2 RPCs from the ID's shape, and a wrong pick is NOT_FOUND here.
   */
  find(kind: SandboxKind, method: string, sandboxId: unknown): FakeSandbox {
    const id = asString(sandboxId);
    const sandbox = this.#sandboxes.get(id);
    if (!sandbox || sandbox.kind !== kind) {
      throw rpcError(method, Status.NOT_FOUND, `Sandbox ${id} not found`);
    }
    return sandbox;
  }

  onCreate(listener: (sandbox: FakeSandbox) => void): () => void {
    this.#createListeners.add(listener);
    return () => this.#createListeners.delete(listener);
  }

  onExit(listener: (sandbox: FakeSandbox) => void): () => void {
    this.#exitListeners.add(listener);
    return () => this.#exitListeners.delete(listener);
  }

  exit(sandboxId: string, code: number): void {
    this.#finish(sandboxId, {
      status: code === 0 ? GenericStatus.SUCCESS : GenericStatus.FAILURE,
      exitcode: code,
      exception: code === 0 ? '' : `exit status ${code}`,
    });
  }

  terminate(sandboxId: string): void {
    this.#finish(sandboxId, {
      status: GenericStatus.TERMINATED,
      exitcode: 0,
      exception: 'Sandbox terminated',
    });
  }

  expire(sandboxId: string): void {
    this.#finish(sandboxId, {
      status: GenericStatus.TIMEOUT,
      exitcode: 0,
      exception: 'Sandbox timed out',
    });
  }

  #nextCreatedAtSecs(): number {
    this.#lastCreatedAtSecs = Math.max(this.#deps.now() / 1000, this.#lastCreatedAtSecs + 0.000001);
    return this.#lastCreatedAtSecs;
  }

  async #create(kind: SandboxKind, req: Record<string, unknown>) {
    const definition = readSandboxDefinition(kind, req, {
      ...this.#deps.lookups,
      nameTaken: (appId, name) => this.#liveNames.has(`${appId}/${name}`),
      workspace: this.#deps.options,
    });
    const now = this.#deps.now();
    const sandbox: FakeSandbox = {
      ...definition,
      // The SDK tells V1 from V2 by the ID's shape: `sb-` and 22 alphanumerics is V1.
      sandboxId: kind === 'v1' ? randomId('sb-', 22) : randomId('sb-', 26),
      kind,
      createdAt: now,
      taskId: randomId('ta-', 22),
      stdin: { text: '', eof: false, firstWriteAt: undefined },
      scheduledAt: kind === 'v1' ? now + (this.#deps.options.schedulingDelayMs ?? 0) : now,
      result: undefined,
      finishedAt: undefined,
    };
    this.#createdAtSecs.set(sandbox.sandboxId, this.#nextCreatedAtSecs());
    this.#sandboxes.set(sandbox.sandboxId, sandbox);
    this.created.push(sandbox);
    if (sandbox.name !== undefined) {
      this.#liveNames.set(`${sandbox.appId}/${sandbox.name}`, sandbox.sandboxId);
    }
    this.#liveCount += 1;
    this.maxLiveCount = Math.max(this.maxLiveCount, this.#liveCount);
    notify(this.#createListeners, sandbox, this.#deps.listenerErrors);
    if (kind === 'v1') return { sandboxId: sandbox.sandboxId, metadata: undefined };
    return {
      sandboxId: sandbox.sandboxId,
      tunnels: [],
      taskId: sandbox.taskId,
      metadata: undefined,
      commandRouterAccess: await this.#deps.routerAccess(sandbox),
      sandboxToken: '',
    };
  }

  async #getTaskId(kind: SandboxKind, req: Record<string, unknown>) {
    const method = kind === 'v1' ? 'SandboxGetTaskId' : 'SandboxGetTaskIdV2';
    const sandbox = this.find(kind, method, req.sandboxId);
    if (this.#deps.now() >= sandbox.scheduledAt) {
      return { taskId: sandbox.taskId, taskResult: undefined };
    }
    if (sandbox.result) return { taskId: undefined, taskResult: genericResult(sandbox.result) };
    return { taskId: undefined, taskResult: undefined };
  }

  async #wait(kind: SandboxKind, req: Record<string, unknown>, options: CallOptions) {
    const method = kind === 'v1' ? 'SandboxWait' : 'SandboxWaitV2';
    const sandbox = this.find(kind, method, req.sandboxId);
    const timeoutMs = Math.max(0, asNumber(req.timeout) * 1000);
    if (sandbox.result === undefined && timeoutMs > 0) {
      let waiters = this.#waiters.get(sandbox.sandboxId);
      if (!waiters) {
        waiters = new Set();
        this.#waiters.set(sandbox.sandboxId, waiters);
      }
      const holdMs = Math.min(timeoutMs, this.#deps.options.longPollMs ?? 1000);
      await this.#deps.sleep(method, holdMs, options.signal, true, waiters);
    }
    return {
      result: sandbox.result && genericResult(sandbox.result),
      metadata: { result: sandbox.result && genericResult(sandbox.result), appId: sandbox.appId },
    };
  }

  async #terminate(kind: SandboxKind, req: Record<string, unknown>) {
    const method = kind === 'v1' ? 'SandboxTerminate' : 'SandboxTerminateV2';
    const sandbox = this.find(kind, method, req.sandboxId);
    if (sandbox.result) return { existingResult: genericResult(sandbox.result) };
    this.terminate(sandbox.sandboxId);
    return { existingResult: undefined };
  }

  #finish(sandboxId: string, result: FakeResult): void {
    const sandbox = this.#sandboxes.get(sandboxId);
    if (!sandbox) throw new Error(`FakeModal: no sandbox ${sandboxId}`);
    if (sandbox.result) return;
    sandbox.result = result;
    sandbox.finishedAt = this.#deps.now();
    this.#liveCount -= 1;
    if (sandbox.name !== undefined) this.#liveNames.delete(`${sandbox.appId}/${sandbox.name}`);
    const waiters = this.#waiters.get(sandboxId);
    this.#waiters.delete(sandboxId);
    for (const wake of [...(waiters ?? [])]) wake();
    notify(this.#exitListeners, sandbox, this.#deps.listenerErrors);
  }
}
