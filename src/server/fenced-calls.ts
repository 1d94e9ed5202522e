import { LeadershipLostError } from '../domain/leadership-lost.js';
import type { RunnerRegistry } from '../ports/runner-registry.js';
import type { SandboxPlatform } from '../ports/sandbox-platform.js';

/** The leader term the calls are made for. */
export interface TermFence {
  readonly epoch: number;
  /** True while the term still trusts its lease (checked immediately before every call). */
  readonly holds: () => boolean;
}

/** What a term made itself it may always undo; at most this many are remembered. */
const REMEMBERED = 10_000;

function ensureHeld(fence: TermFence, what: string): void {
  if (!fence.holds()) {
    throw new LeadershipLostError(
      `not leader any more (the lease of epoch ${fence.epoch} ran out); ${what}`,
    );
  }
}

function remember<T>(set: Set<T>, value: T): void {
  set.add(value);
  if (set.size > REMEMBERED) set.delete(set.values().next().value as T);
}

/**
 * The sandbox platform of one leader term. A sandbox is created, and one the term did not create
 * is terminated, only while the term still trusts its lease, checked immediately before the call
 * leaves. Modal knows nothing of epochs, so this, not the database, keeps a leader that was
 * paused past its lease from creating a sandbox beside its successor's, or from terminating one
 * its successor launched. Undoing what the term created itself, delivering configs and watching
 * exits stay open: they never add a sandbox nor take one from another leader.
 */
export function fencedPlatform(platform: SandboxPlatform, fence: TermFence): SandboxPlatform {
  const made = new Set<string>();
  return {
    ...platform,
    async createSandbox(spec) {
      ensureHeld(fence, `sandbox ${spec.name} was not created`);
      const created = await platform.createSandbox(spec);
      remember(made, created.sandboxId);
      return created;
    },
    async terminate(sandboxId) {
      if (!made.has(sandboxId)) ensureHeld(fence, `sandbox ${sandboxId} was not terminated`);
      return platform.terminate(sandboxId);
    },
  };
}

/**
 * The GitHub runner registry of one leader term, fenced like its platform: minting a runner, and
 * deleting a registration the term did not mint, only while it trusts its lease.
 */
export function fencedRegistry<R extends RunnerRegistry>(registry: R, fence: TermFence): R {
  const minted = new Set<number>();
  return {
    ...registry,
    async generateJitConfig(request) {
      ensureHeld(fence, `runner ${request.name} was not registered`);
      const config = await registry.generateJitConfig(request);
      remember(minted, config.runnerId);
      return config;
    },
    async deleteRunner(ref) {
      if (!minted.has(ref.runnerId)) {
        ensureHeld(fence, `runner registration ${ref.runnerId} was not deleted`);
      }
      return registry.deleteRunner(ref);
    },
  };
}
