/**
 * In-memory implementations of the ports the controller and the reconciler use
 * (`src/ports/`): a GitHub (`RunnerRegistry` and `ReconcileGitHub` over one set of
 * registrations) and a Modal (`SandboxPlatform`). No I/O and no timers, so a unit test drives
 * them with the memory ledger and a fake clock. Every call is recorded, in order, in one log
 * shared by both (`PortLog`); a test can make chosen calls fail, or run a hook before a call
 * answers (to change the world while the code under test is between two steps).
 */
import type { RunnerScope } from '../src/domain/runner-scope.js';
import { scopeKey } from '../src/domain/runner-scope.js';
import type { SandboxTags } from '../src/domain/sandbox-tags.js';
import type { DeliveryInfo, ReconcileGitHub, Registration } from '../src/ports/reconcile-github.js';
import type {
  JitConfig,
  JitConfigRequest,
  RunnerRef,
  RunnerRegistry,
} from '../src/ports/runner-registry.js';
import type { SandboxInfo, SandboxPlatform, SandboxSpec } from '../src/ports/sandbox-platform.js';

/** One call to a port: `github.deleteRunner`, `modal.createSandbox`… and its argument(s). */
export interface PortCall {
  readonly method: string;
  readonly args: unknown;
}

interface Failure {
  readonly error: unknown;
  readonly when: ((args: never) => boolean) | undefined;
  remaining: number;
}

/** The call log both fakes write to, with the faults and hooks a test set up. */
export class PortLog {
  readonly calls: PortCall[] = [];
  readonly #failures = new Map<string, Failure[]>();
  readonly #hooks = new Map<string, ((args: never) => void | Promise<void>)[]>();

  /**
   * The next `times` calls of `method` (for which `when` holds) throw `error` instead of
   * answering; nothing happens in the fake world. `method` is qualified: `modal.deliverConfig`.
   */
  fail<A = unknown>(
    method: string,
    error: unknown,
    options: { times?: number; when?: (args: A) => boolean } = {},
  ): void {
    const list = this.#failures.get(method) ?? [];
    list.push({
      error,
      when: options.when as ((args: never) => boolean) | undefined,
      remaining: options.times ?? 1,
    });
    this.#failures.set(method, list);
  }

  /** Runs `hook` before every call of `method` answers (after it is recorded). */
  before<A = unknown>(method: string, hook: (args: A) => void | Promise<void>): void {
    const list = this.#hooks.get(method) ?? [];
    list.push(hook as (args: never) => void | Promise<void>);
    this.#hooks.set(method, list);
  }

  /** The methods called, in order. */
  methods(): string[] {
    return this.calls.map((c) => c.method);
  }

  /** The arguments of every call of `method`, in order. */
  argsOf<A = unknown>(method: string): A[] {
    return this.calls.filter((c) => c.method === method).map((c) => c.args as A);
  }

  /** Records the call, runs its hooks, and throws if a failure was set up for it. */
  async enter(method: string, args: unknown): Promise<void> {
    this.calls.push({ method, args: structuredClone(args) });
    for (const hook of this.#hooks.get(method) ?? []) await hook(args as never);
    const list = this.#failures.get(method) ?? [];
    const failure = list.find((f) => f.when === undefined || f.when(args as never));
    if (failure === undefined) return;
    failure.remaining -= 1;
    if (failure.remaining <= 0) list.splice(list.indexOf(failure), 1);
    throw failure.error;
  }
}

/** The error GitHub's adapter throws when a runner cannot be deleted because it runs a job. */
export function runnerBusyError(): Error {
  return Object.assign(new Error('Bad request - Runner is currently running a job'), {
    status: 422,
    runnerBusy: true,
  });
}

/** An error the adapters would mark as worth retrying (5xx, UNAVAILABLE…). */
export function retryableError(message: string): Error {
  return Object.assign(new Error(message), { retryable: true });
}

export interface InMemoryRegistration extends Registration {
  readonly scope: RunnerScope;
  readonly installationId: number;
  readonly labels: readonly string[];
  status: 'online' | 'offline';
  busy: boolean;
}

export interface InMemoryInstallation {
  readonly id: number;
  readonly account: string;
  readonly kind: 'org' | 'user';
  readonly suspended: boolean;
}

type GitHubJob = { status: string; conclusion: string | null; runnerName: string | null };

/**
 * GitHub as the controller (`RunnerRegistry`) and the reconciler (`ReconcileGitHub`) see it.
 * Minting registers a runner (offline, not busy); deleting a busy one throws a
 * `runnerBusyError`; deleting one that is gone succeeds.
 */
export class InMemoryGitHub implements RunnerRegistry, ReconcileGitHub {
  readonly registrations = new Map<number, InMemoryRegistration>();
  installations: InMemoryInstallation[] = [];
  readonly jobs = new Map<number, GitHubJob>();
  /** Webhook deliveries, in any order; listed newest first. */
  deliveries: DeliveryInfo[] = [];
  deliveryPageSize = 100;
  readonly redelivered: number[] = [];
  #nextRunnerId = 1000;

  constructor(readonly log: PortLog = new PortLog()) {}

  /** Adds a registration directly (one that exists before the test starts). */
  register(
    fields: Omit<InMemoryRegistration, 'id' | 'status' | 'busy' | 'labels'> & {
      id?: number;
      status?: 'online' | 'offline';
      busy?: boolean;
    },
  ): InMemoryRegistration {
    const registration: InMemoryRegistration = {
      labels: [],
      status: 'offline',
      busy: false,
      ...fields,
      id: fields.id ?? this.#nextRunnerId++,
    };
    this.registrations.set(registration.id, registration);
    return registration;
  }

  byName(name: string): InMemoryRegistration | undefined {
    return [...this.registrations.values()].find((r) => r.name === name);
  }

  async generateJitConfig(request: JitConfigRequest): Promise<JitConfig> {
    await this.log.enter('github.generateJitConfig', request);
    const registration = this.register({
      name: request.name,
      scope: request.scope,
      installationId: request.installationId,
    });
    return { runnerId: registration.id, encodedJitConfig: `jit-config-of-${request.name}` };
  }

  async deleteRunner(input: RunnerRef): Promise<void> {
    await this.log.enter('github.deleteRunner', input);
    const registration = this.registrations.get(input.runnerId);
    if (registration?.busy) throw runnerBusyError();
    this.registrations.delete(input.runnerId);
  }

  async listRunners(input: {
    installationId: number;
    scope: RunnerScope;
    namePrefix?: string;
  }): Promise<readonly Registration[]> {
    await this.log.enter('github.listRunners', input);
    return [...this.registrations.values()]
      .filter((r) => scopeKey(r.scope) === scopeKey(input.scope))
      .filter((r) => r.name.startsWith(input.namePrefix ?? ''))
      .map(({ id, name, status, busy }) => ({ id, name, status, busy }));
  }

  async findRunnerByName(input: {
    installationId: number;
    scope: RunnerScope;
    name: string;
  }): Promise<Registration | undefined> {
    await this.log.enter('github.findRunnerByName', input);
    const found = [...this.registrations.values()].find(
      (r) => r.name === input.name && scopeKey(r.scope) === scopeKey(input.scope),
    );
    return found && { id: found.id, name: found.name, status: found.status, busy: found.busy };
  }

  async listInstallations(): Promise<readonly InMemoryInstallation[]> {
    await this.log.enter('github.listInstallations', {});
    return this.installations;
  }

  async getJob(input: { installationId: number; repo: string; jobId: number }) {
    await this.log.enter('github.getJob', input);
    return this.jobs.get(input.jobId);
  }

  /** Newest first, `deliveryPageSize` a page; the cursor is the index of the page's first. */
  async listDeliveryPage(input: { cursor?: string }): Promise<{
    readonly deliveries: readonly DeliveryInfo[];
    readonly nextCursor: string | undefined;
  }> {
    await this.log.enter('github.listDeliveryPage', input);
    const newestFirst = [...this.deliveries].sort((a, b) => b.deliveredAt - a.deliveredAt);
    const start = Number(input.cursor ?? 0);
    const end = start + this.deliveryPageSize;
    return {
      deliveries: newestFirst.slice(start, end),
      nextCursor: end < newestFirst.length ? String(end) : undefined,
    };
  }

  async redeliver(deliveryId: number): Promise<void> {
    await this.log.enter('github.redeliver', { deliveryId });
    this.redelivered.push(deliveryId);
  }
}

export interface InMemorySandbox {
  readonly sandboxId: string;
  readonly name: string;
  /** Undefined for a sandbox whose tags are not ones this app writes. */
  readonly tags: SandboxTags | undefined;
  readonly spec: SandboxSpec | undefined;
  /** The JIT configs delivered on its stdin. */
  readonly configs: string[];
  /** Undefined while it runs. */
  exitCode: number | undefined;
}

/** The exit code `waitForExit` reports for a terminated sandbox (as Modal's SIGKILL). */
export const TERMINATED_EXIT_CODE = 137;

/**
 * Modal as the controller and the reconciler see it. Sandboxes run until `exit` or `terminate`;
 * `waitForExit` resolves then. Delivering to a sandbox that is gone throws.
 */
export class InMemorySandboxPlatform implements SandboxPlatform {
  readonly sandboxes = new Map<string, InMemorySandbox>();
  readonly #waiters = new Map<string, ((code: number) => void)[]>();
  #next = 1;

  constructor(readonly log: PortLog = new PortLog()) {}

  /** Adds a running sandbox directly (one that exists before the test starts). */
  add(fields: {
    name: string;
    tags: SandboxTags | undefined;
    sandboxId?: string;
  }): InMemorySandbox {
    const sandbox: InMemorySandbox = {
      sandboxId: fields.sandboxId ?? `sb-${this.#next++}`,
      name: fields.name,
      tags: fields.tags,
      spec: undefined,
      configs: [],
      exitCode: undefined,
    };
    this.sandboxes.set(sandbox.sandboxId, sandbox);
    return sandbox;
  }

  running(): InMemorySandbox[] {
    return [...this.sandboxes.values()].filter((s) => s.exitCode === undefined);
  }

  /** The sandbox's process ends with `code`. */
  exit(sandboxId: string, code: number): void {
    const sandbox = this.sandboxes.get(sandboxId);
    if (!sandbox) throw new Error(`InMemorySandboxPlatform: no sandbox ${sandboxId}`);
    if (sandbox.exitCode !== undefined) return;
    sandbox.exitCode = code;
    const waiters = this.#waiters.get(sandboxId) ?? [];
    this.#waiters.delete(sandboxId);
    for (const resolve of waiters) resolve(code);
  }

  async createSandbox(spec: SandboxSpec): Promise<{ readonly sandboxId: string }> {
    await this.log.enter('modal.createSandbox', spec);
    const taken = this.running().some((s) => s.name === spec.name);
    if (taken) throw new Error(`a running sandbox is already named ${spec.name}`);
    const sandbox: InMemorySandbox = {
      sandboxId: `sb-${this.#next++}`,
      name: spec.name,
      tags: spec.tags,
      spec,
      configs: [],
      exitCode: undefined,
    };
    this.sandboxes.set(sandbox.sandboxId, sandbox);
    return { sandboxId: sandbox.sandboxId };
  }

  async deliverConfig(sandboxId: string, jitConfig: string): Promise<void> {
    await this.log.enter('modal.deliverConfig', { sandboxId });
    const sandbox = this.sandboxes.get(sandboxId);
    if (!sandbox || sandbox.exitCode !== undefined) {
      throw new Error(`sandbox ${sandboxId} is not running`);
    }
    sandbox.configs.push(jitConfig);
  }

  async terminate(sandboxId: string): Promise<void> {
    await this.log.enter('modal.terminate', { sandboxId });
    if (this.sandboxes.has(sandboxId)) this.exit(sandboxId, TERMINATED_EXIT_CODE);
  }

  async waitForExit(sandboxId: string): Promise<number> {
    await this.log.enter('modal.waitForExit', { sandboxId });
    const sandbox = this.sandboxes.get(sandboxId);
    if (!sandbox) throw new Error(`sandbox ${sandboxId} not found`);
    if (sandbox.exitCode !== undefined) return sandbox.exitCode;
    return new Promise((resolve) => {
      const waiters = this.#waiters.get(sandboxId) ?? [];
      waiters.push(resolve);
      this.#waiters.set(sandboxId, waiters);
    });
  }

  async list(managedBy: string): Promise<SandboxInfo[]> {
    await this.log.enter('modal.list', { managedBy });
    return this.running()
      .filter((s) => s.tags === undefined || s.tags.managedBy === managedBy)
      .map((s) => ({ sandboxId: s.sandboxId, tags: s.tags }));
  }
}

/** Both fakes over one call log. */
export function createInMemoryPorts(): {
  log: PortLog;
  github: InMemoryGitHub;
  platform: InMemorySandboxPlatform;
} {
  const log = new PortLog();
  return { log, github: new InMemoryGitHub(log), platform: new InMemorySandboxPlatform(log) };
}
