import type { SandboxCreateParams, Volume } from 'modal';
import { withCacheParams } from './cache-sandbox-params.js';
import type { RunnerClass } from '../config/runner-class.js';
import { encodeSandboxTags } from '../domain/sandbox-tags.js';
import type { SandboxPlatform, SandboxSpec } from '../ports/sandbox-platform.js';
import { DEFAULT_MODAL_CALL_TIMEOUT_MS, withCallDeadlines } from './call-deadline.js';
import { createModalSandbox } from './create-modal-sandbox.js';
import { deliverModalConfig } from './deliver-modal-config.js';
import { listManagedSandboxes } from './list-managed-sandboxes.js';
import {
  createModalPlatformContext,
  type ModalSandboxPlatformOptions,
} from './modal-platform-context.js';
import { CONFIG_WAIT_ENV, RUNNER_WORKDIR } from './runner-image.js';
import { classSandboxParams, type ClassSandboxContext } from './sandbox-class-params.js';
import { terminateModalSandbox } from './terminate-modal-sandbox.js';

export type { ModalSandboxPlatformOptions } from './modal-platform-context.js';

/** Modal's longest sandbox lifetime. */
export const MAX_SANDBOX_TIMEOUT_MS = 24 * 60 * 60 * 1000;

/** The sandbox's lifetime: the class's, else the default, never above Modal's 24 hours. */
export function sandboxTimeoutMs(runnerClass: RunnerClass, defaultTimeoutMinutes: number): number {
  const minutes = runnerClass.timeoutMinutes ?? defaultTimeoutMinutes;
  // The SDK wants whole seconds.
  const ms = Math.max(1, Math.round(minutes * 60)) * 1000;
  return Math.min(ms, MAX_SANDBOX_TIMEOUT_MS);
}

/**
 * What `sandboxes.create` gets for one runner: no secret (the JIT config comes on stdin). The
 * class's options (entrypoint, Docker, egress) come from sandbox-class-params.ts; a class with
 * `cache` gets its volume (`cacheVolume`) and the cache's environment (cache-sandbox-params.ts).
 */
export function sandboxCreateParams(
  spec: SandboxSpec,
  defaultTimeoutMinutes: number,
  context: ClassSandboxContext = {},
  cacheVolume?: Volume,
): SandboxCreateParams {
  const cls = spec.runnerClass;
  const params: SandboxCreateParams = {
    name: spec.name,
    tags: encodeSandboxTags(spec.tags),
    cpu: cls.cpu,
    memoryMiB: cls.memoryMiB,
    ...(cls.gpu ? { gpu: cls.gpu } : {}),
    timeoutMs: sandboxTimeoutMs(cls, defaultTimeoutMinutes),
    workdir: RUNNER_WORKDIR,
    ...classSandboxParams(cls, context),
    ...(spec.configWaitSeconds !== undefined
      ? { env: { [CONFIG_WAIT_ENV]: String(Math.round(spec.configWaitSeconds)) } }
      : {}),
  };
  return cacheVolume ? withCacheParams(params, cls, cacheVolume, spec.name) : params;
}

/**
 * The controller's SandboxPlatform on Modal: one sandbox per runner, in one Modal App.
 *
 * CPU classes get V2 sandboxes and GPU classes V1 sandboxes (the SDK decides); `list` uses the
 * listing that sees both kinds.
 */
export interface ModalSandboxPlatform extends SandboxPlatform {
  /**
   * Resolves when the work left running in the background has ended (the ends of stdin that
   * follow config deliveries). The server waits for it at stop, before the Modal client goes,
   * so that no SDK retry outlives the server.
   */
  drain(): Promise<void>;
}

export function createModalSandboxPlatform(
  options: ModalSandboxPlatformOptions,
): ModalSandboxPlatform {
  const ctx = createModalPlatformContext(options, (spec, context, cacheVolume) =>
    sandboxCreateParams(spec, options.defaultTimeoutMinutes, context, cacheVolume),
  );
  return withCallDeadlines(
    {
      createSandbox: (spec) => createModalSandbox(ctx, spec),
      deliverConfig: (sandboxId, jitConfig) => deliverModalConfig(ctx, sandboxId, jitConfig),
      async drain() {
        while (ctx.closing.size > 0) await Promise.all([...ctx.closing]);
      },
      terminate: (sandboxId) => terminateModalSandbox(ctx, sandboxId),
      list: (managedBy) => listManagedSandboxes(ctx, managedBy),
    },
    options.callTimeoutMs ?? DEFAULT_MODAL_CALL_TIMEOUT_MS,
  );
}
