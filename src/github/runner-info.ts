import type { RunnerData } from './runners-octokit.js';

/** A runner registration as GitHub lists it. */
export interface RunnerInfo {
  readonly id: number;
  readonly name: string;
  /** `online` or `offline`. */
  readonly status: string;
  readonly busy: boolean;
  readonly labels: readonly string[];
  readonly runnerGroupId?: number;
  readonly ephemeral?: boolean;
}

/** GitHub's runner, as this app reads it. */
export function toRunnerInfo(runner: RunnerData): RunnerInfo {
  return {
    id: runner.id,
    name: runner.name,
    status: runner.status,
    busy: runner.busy,
    labels: (runner.labels ?? []).map((l) => l.name),
    ...(runner.runner_group_id === undefined ? {} : { runnerGroupId: runner.runner_group_id }),
    ...(runner.ephemeral === undefined ? {} : { ephemeral: runner.ephemeral }),
  };
}
