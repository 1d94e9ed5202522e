import type { RestResponse } from './rest-response.js';

// Type aliases, not interfaces: Octokit's parameter types need an implicit index signature.
export type JitBody = {
  name: string;
  runner_group_id: number;
  labels: string[];
};

export interface JitConfigData {
  readonly runner: { readonly id: number; readonly name: string };
  readonly encoded_jit_config: string;
}

/** A runner as GitHub's runner API lists it. */
export interface RunnerData {
  readonly id: number;
  readonly name: string;
  readonly status: string;
  readonly busy: boolean;
  readonly labels: readonly { readonly name: string }[];
  readonly runner_group_id?: number;
  readonly ephemeral?: boolean;
}

export interface RunnerList {
  readonly total_count: number;
  readonly runners: readonly RunnerData[];
}

export type ListParams = {
  name?: string;
  per_page?: number;
  page?: number;
};

/**
 * The part of Octokit (Probot's `ProbotOctokit`, installation-authenticated) the runner registry
 * uses.
 */
export interface OctokitLike {
  readonly rest: {
    readonly actions: {
      generateRunnerJitconfigForOrg(
        params: { org: string } & JitBody,
      ): Promise<RestResponse<JitConfigData>>;
      generateRunnerJitconfigForRepo(
        params: { owner: string; repo: string } & JitBody,
      ): Promise<RestResponse<JitConfigData>>;
      deleteSelfHostedRunnerFromOrg(params: {
        org: string;
        runner_id: number;
      }): Promise<RestResponse<unknown>>;
      deleteSelfHostedRunnerFromRepo(params: {
        owner: string;
        repo: string;
        runner_id: number;
      }): Promise<RestResponse<unknown>>;
      listSelfHostedRunnersForOrg(
        params: { org: string } & ListParams,
      ): Promise<RestResponse<RunnerList>>;
      listSelfHostedRunnersForRepo(
        params: { owner: string; repo: string } & ListParams,
      ): Promise<RestResponse<RunnerList>>;
    };
  };
}
