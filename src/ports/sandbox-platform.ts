import type { RunnerClass } from '../config/runner-class.js';
import type { SandboxTags } from '../domain/sandbox-tags.js';

export interface SandboxSpec {
  /** The runner name; unique among the app's running sandboxes and shorter than 64 characters. */
  readonly name: string;
  readonly runnerClass: RunnerClass;
  readonly tags: SandboxTags;
  /** How long the sandbox waits for its config; 120 s when unset (warm sandboxes wait longer). */
  readonly configWaitSeconds?: number;
}

export interface SandboxInfo {
  readonly sandboxId: string;
  /** Undefined when the sandbox's tags are not ones this app writes. */
  readonly tags: SandboxTags | undefined;
}

/** Every Modal call the controller and the reconciler make. Implemented in `src/modal/`. */
export interface SandboxPlatform {
  /**
   * Creates the runner's sandbox. It boots and waits for its JIT config on stdin, so it can be
   * created while the config is still being minted.
   */
  createSandbox(spec: SandboxSpec): Promise<{ readonly sandboxId: string }>;
  /**
   * Hands the sandbox its JIT config (a secret) on stdin, never in argv or the environment.
   * Safe to call again after a failure: a write already applied is not applied twice. Resolves
   * once the config is written; closing stdin may finish later.
   */
  deliverConfig(sandboxId: string, jitConfig: string): Promise<void>;
  /** Terminates a sandbox; one that already exited is not an error. */
  terminate(sandboxId: string): Promise<void>;
  /**
   * Running sandboxes of this app made by `managedBy`, with their tags. A sandbox missing from
   * it has exited: exit watching and reconciliation both read it (no per-sandbox wait).
   */
  list(managedBy: string): Promise<SandboxInfo[]>;
}
