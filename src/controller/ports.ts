import type { RunnerClass } from '../config/runner-class.js';

/** Where a runner is registered: the organization, or one repository of a user account. */
export type RunnerScope =
  | { readonly kind: 'org'; readonly org: string }
  | { readonly kind: 'repo'; readonly owner: string; readonly repo: string };

/** `org:<org>` or `repo:<owner>/<repo>`: a scope as one string, for tags and map keys. */
export function scopeKey(scope: RunnerScope): string {
  return scope.kind === 'org' ? `org:${scope.org}` : `repo:${scope.owner}/${scope.repo}`;
}

export function parseScopeKey(key: string): RunnerScope | undefined {
  const org = /^org:([^/]+)$/.exec(key);
  if (org?.[1]) return { kind: 'org', org: org[1] };
  const repo = /^repo:([^/]+)\/([^/]+)$/.exec(key);
  if (repo?.[1] && repo[2]) return { kind: 'repo', owner: repo[1], repo: repo[2] };
  return undefined;
}

export interface JitConfigRequest {
  readonly installationId: number;
  readonly scope: RunnerScope;
  /** Unique, shorter than 64 characters. Also the sandbox name. */
  readonly name: string;
  readonly labels: readonly string[];
  readonly runnerGroupId: number;
}

export interface JitConfig {
  readonly runnerId: number;
  /** Secret: the runner's credentials. Never log it, never put it in argv. */
  readonly encodedJitConfig: string;
}

/** Every GitHub call the controller makes. Implemented in `src/github/`. */
export interface RunnerRegistry {
  generateJitConfig(request: JitConfigRequest): Promise<JitConfig>;
  /** Deletes a runner registration; a registration that is already gone is not an error. */
  deleteRunner(input: {
    readonly installationId: number;
    readonly scope: RunnerScope;
    readonly runnerId: number;
  }): Promise<void>;
}

export interface SandboxLaunchSpec {
  /** The runner name; unique among the app's running sandboxes and shorter than 64 characters. */
  readonly name: string;
  readonly runnerClass: RunnerClass;
  readonly tags: Readonly<Record<string, string>>;
  /** How long the sandbox waits for its config; 120 s when unset (warm sandboxes wait longer). */
  readonly configWaitSeconds?: number;
}

export interface SandboxInfo {
  readonly sandboxId: string;
  readonly tags: Readonly<Record<string, string>>;
}

/** Every Modal call the controller makes. Implemented in `src/modal/`. */
export interface SandboxPlatform {
  /**
   * Creates the runner's sandbox. It boots and waits for its JIT config on stdin, so it can be
   * created while the config is still being minted.
   */
  launch(spec: SandboxLaunchSpec): Promise<{ readonly sandboxId: string }>;
  /**
   * Hands the sandbox its JIT config (a secret) on stdin, never in argv or the environment.
   * Safe to call again after a failure: a write already applied is not applied twice. Resolves
   * once the config is written; closing stdin may finish later.
   */
  deliverConfig(sandboxId: string, jitConfig: string): Promise<void>;
  /** Terminates a sandbox; one that already exited is not an error. */
  terminate(sandboxId: string): Promise<void>;
  /** Resolves with the exit code once the sandbox has exited (for any reason). */
  waitForExit(sandboxId: string): Promise<number>;
  /** Running sandboxes of this app carrying all the given tags. */
  list(tags: Readonly<Record<string, string>>): Promise<SandboxInfo[]>;
}

/** Time, injected so that plans and tests are deterministic. */
export interface Clock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

/**
 * What errors thrown by the GitHub and Modal adapters say about themselves, so that the
 * controller can decide to retry without knowing either API.
 */
export interface RetryHint {
  /** True when the same call may succeed later (5xx, 429, UNAVAILABLE, RESOURCE_EXHAUSTED, timeouts). */
  readonly retryable: boolean;
  /** How long the remote side asked us to wait, when it said (for example `retry-after`). */
  readonly retryAfterMs?: number;
}

export function retryHintOf(error: unknown): RetryHint {
  if (typeof error === 'object' && error !== null && 'retryable' in error) {
    const { retryable, retryAfterMs } = error as { retryable: unknown; retryAfterMs?: unknown };
    return {
      retryable: retryable === true,
      ...(typeof retryAfterMs === 'number' ? { retryAfterMs } : {}),
    };
  }
  return { retryable: false };
}

/** What the app, the controller and the reconciler report for `/metrics`. */
export interface Metrics {
  webhook(event: string, action: string, outcome: WebhookOutcome): void;
  launch(runnerClass: string, result: 'success' | 'failure', durationMs: number): void;
  /** A job of ours started: how long it waited from queued to in_progress. */
  jobStarted(runnerClass: string, waitMs: number): void;
  reconciled(report: { readonly repairs: Readonly<Record<string, number>> }): void;
  redelivered(count: number): void;
  error(cause: string): void;
  githubRateLimitRemaining(remaining: number): void;
}

export type WebhookOutcome = 'recorded' | 'ignored' | 'refused' | 'malformed' | 'failed';

export const noMetrics: Metrics = {
  webhook: () => {},
  launch: () => {},
  jobStarted: () => {},
  reconciled: () => {},
  redelivered: () => {},
  error: () => {},
  githubRateLimitRemaining: () => {},
};
