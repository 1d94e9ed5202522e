import type { SandboxTags } from '../src/domain/sandbox-tags.js';
import type { SandboxInfo, SandboxPlatform, SandboxSpec } from '../src/ports/sandbox-platform.js';
import { PortLog } from './port-log.js';

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

/** The exit code of a terminated sandbox (as Modal's SIGKILL). */
export const TERMINATED_EXIT_CODE = 137;

/**
 * Modal as the controller and the reconciler see it. Sandboxes run until `exit` or `terminate`,
 * and leave the listing then. Delivering to a sandbox that is gone throws.
 */
export class InMemorySandboxPlatform implements SandboxPlatform {
  readonly sandboxes = new Map<string, InMemorySandbox>();
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

  async list(managedBy: string): Promise<SandboxInfo[]> {
    await this.log.enter('modal.list', { managedBy });
    return this.running()
      .filter((s) => s.tags === undefined || s.tags.managedBy === managedBy)
      .map((s) => ({ sandboxId: s.sandboxId, tags: s.tags }));
  }
}
