import type { RunnerScope } from '../domain/runner-scope.js';

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

export interface RunnerRef {
  readonly installationId: number;
  readonly scope: RunnerScope;
  readonly runnerId: number;
}

/** Every GitHub call the controller makes. Implemented in `src/github/`. */
export interface RunnerRegistry {
  generateJitConfig(request: JitConfigRequest): Promise<JitConfig>;
  /**
   * Deletes a runner registration; a registration that is already gone is not an error. A
   * runner running a job cannot be deleted: that error satisfies `isRunnerBusy`.
   */
  deleteRunner(input: RunnerRef): Promise<void>;
}
