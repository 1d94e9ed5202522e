import type { Clock } from '../domain/clock.js';
import type { JitConfig, JitConfigRequest, RunnerRegistry } from '../ports/runner-registry.js';
import { scopeKey, type RunnerScope } from '../domain/runner-scope.js';
import { GitHubError, type TranslateContext } from './github-error.js';
import { translateGitHubError } from './translate-github-error.js';
import type { JitRateLimiter } from './jit-rate-limiter.js';
import { createPacedCall } from './paced-call.js';
import { githubLogFields } from './rest-log-fields.js';
import { readPages } from './rest-pages.js';
import { listItems, totalCountOf, type RestResponse } from './rest-response.js';

// Type aliases, not interfaces: Octokit's parameter types need an implicit index signature.
type JitBody = {
  name: string;
  runner_group_id: number;
  labels: string[];
};

interface JitConfigData {
  readonly runner: { readonly id: number; readonly name: string };
  readonly encoded_jit_config: string;
}

interface RunnerData {
  readonly id: number;
  readonly name: string;
  readonly status: string;
  readonly busy: boolean;
  readonly labels: readonly { readonly name: string }[];
  readonly runner_group_id?: number;
  readonly ephemeral?: boolean;
}

interface RunnerList {
  readonly total_count: number;
  readonly runners: readonly RunnerData[];
}

type ListParams = {
  name?: string;
  per_page?: number;
  page?: number;
};

/** The part of Octokit (Probot's `ProbotOctokit`, installation-authenticated) this module uses. */
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

/** A pino-compatible logger, reduced to what this module calls. */
export interface RegistryLogger {
  debug(fields: Record<string, unknown>, message: string): void;
  warn(fields: Record<string, unknown>, message: string): void;
}

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

export interface RunnerLookup {
  readonly installationId: number;
  readonly scope: RunnerScope;
}

export interface GitHubRunnerRegistry extends RunnerRegistry {
  /** The registration with exactly this name in the scope, if any. */
  findRunnerByName(
    input: RunnerLookup & { readonly name: string },
  ): Promise<RunnerInfo | undefined>;
  /** Every registration in the scope whose name starts with `namePrefix` (all pages). */
  listRunners(input: RunnerLookup & { readonly namePrefix?: string }): Promise<RunnerInfo[]>;
}

export interface GitHubRunnerRegistryOptions {
  /** An installation-authenticated Octokit, e.g. `(id) => octokits.installation(id)` (app-octokits.ts). */
  readonly getOctokit: (installationId: number) => Promise<OctokitLike>;
  readonly limiter: JitRateLimiter;
  readonly clock: Clock;
  readonly log: RegistryLogger;
  /** Retries of one call after secondary rate limits before giving up (default 5). */
  readonly maxSecondaryLimitRetries?: number;
}

const PER_PAGE = 100;
/** 100 000 runners: far beyond any real scope, it only stops a server that paginates forever. */
const MAX_PAGES = 1_000;

/**
 * GitHub's runner API for the controller and the reconciler. Every call is paced by the shared
 * limiter (GitHub's secondary limits count all of an App's calls); a secondary rate limit pauses
 * the limiter and the call is retried here, other errors are translated into GitHubErrors whose
 * `retryable` tells the controller whether to try again.
 */
export function createGitHubRunnerRegistry(
  options: GitHubRunnerRegistryOptions,
): GitHubRunnerRegistry {
  const { limiter, clock, log } = options;
  const maxRetries = options.maxSecondaryLimitRetries ?? 5;

  async function octokitFor(installationId: number): Promise<OctokitLike> {
    try {
      return await options.getOctokit(installationId);
    } catch (error) {
      throw translateGitHubError('installation-token', error, { now: clock.now(), installationId });
    }
  }

  const paced = createPacedCall({
    limiter,
    clock,
    log,
    maxSecondaryLimitRetries: maxRetries,
    fields: githubLogFields,
  });

  async function mint(octokit: OctokitLike, request: JitConfigRequest): Promise<JitConfig> {
    const { scope } = request;
    const body: JitBody = {
      name: request.name,
      runner_group_id: request.runnerGroupId,
      labels: [...request.labels],
    };
    const context = contextOf(request);
    const response = await paced('generate-jitconfig', context, () =>
      scope.kind === 'org'
        ? octokit.rest.actions.generateRunnerJitconfigForOrg({ org: scope.org, ...body })
        : octokit.rest.actions.generateRunnerJitconfigForRepo({
            owner: scope.owner,
            repo: scope.repo,
            ...body,
          }),
    );
    const data: unknown = response.data;
    const runnerId = (data as { runner?: { id?: unknown } } | null)?.runner?.id;
    const encoded = (data as { encoded_jit_config?: unknown } | null)?.encoded_jit_config;
    if (typeof runnerId !== 'number' || typeof encoded !== 'string' || encoded === '') {
      throw new GitHubError(
        `GitHub generate-jitconfig for ${scopeKey(scope)} (runner ${request.name}) answered ` +
          `${response.status} without a runner id or JIT config`,
        { operation: 'generate-jitconfig', code: 'unexpected-response', retryable: false },
      );
    }
    log.debug(
      { ...githubLogFields('generate-jitconfig', context), status: response.status, runnerId },
      'runner registered just in time',
    );
    return { runnerId, encodedJitConfig: encoded };
  }

  /**
   * After a 409: frees the name if the runner holding it is one of ours that can never run
   * (offline, idle, and we lack its JIT config). True when the name is free to mint again.
   */
  async function releaseName(octokit: OctokitLike, request: JitConfigRequest): Promise<boolean> {
    const context = contextOf(request);
    const fields = githubLogFields('generate-jitconfig', context);
    const existing = await findIn(octokit, request.scope, request.name);
    if (existing === undefined) {
      log.warn({ ...fields, status: 409 }, 'runner name was taken but is free now; registering');
      return true;
    }
    if (!isOurs(existing, request) || existing.status !== 'offline' || existing.busy) {
      log.warn(
        {
          ...fields,
          status: 409,
          runnerId: existing.id,
          runnerStatus: existing.status,
          busy: existing.busy,
        },
        'runner name is held by a runner that is not an unused registration of ours; left alone',
      );
      return false;
    }
    log.warn(
      { ...fields, status: 409, runnerId: existing.id },
      'runner name is held by an unused registration (an earlier attempt whose answer was lost); ' +
        'deleting it and registering again',
    );
    try {
      await remove(octokit, request.scope, existing.id, request.name);
    } catch (error) {
      if (error instanceof GitHubError && error.runnerBusy) return false;
      throw error;
    }
    return true;
  }

  async function remove(
    octokit: OctokitLike,
    scope: RunnerScope,
    runnerId: number,
    runnerName?: string,
  ): Promise<void> {
    const context: TranslateContext = { scope, ...(runnerName ? { runnerName } : {}) };
    const fields = { ...githubLogFields('delete-runner', context), runnerId };
    try {
      await paced('delete-runner', context, () =>
        scope.kind === 'org'
          ? octokit.rest.actions.deleteSelfHostedRunnerFromOrg({
              org: scope.org,
              runner_id: runnerId,
            })
          : octokit.rest.actions.deleteSelfHostedRunnerFromRepo({
              owner: scope.owner,
              repo: scope.repo,
              runner_id: runnerId,
            }),
      );
      log.debug({ ...fields, status: 204 }, 'runner registration deleted');
    } catch (error) {
      if (error instanceof GitHubError && error.status === 404) {
        log.debug({ ...fields, status: 404 }, 'runner registration already gone');
        return;
      }
      throw error;
    }
  }

  async function listPages(
    octokit: OctokitLike,
    scope: RunnerScope,
    filter: { readonly name?: string },
    keep: (runner: RunnerData) => boolean,
  ): Promise<RunnerInfo[]> {
    const found: RunnerInfo[] = [];
    const context: TranslateContext = {
      scope,
      ...(filter.name ? { runnerName: filter.name } : {}),
    };
    const read = await readPages<RunnerData>({
      form: 'page',
      perPage: PER_PAGE,
      maxPages: MAX_PAGES,
      fetch: ({ page }) => {
        const params: ListParams = { per_page: PER_PAGE, page, ...filter };
        return paced('list-runners', context, () =>
          scope.kind === 'org'
            ? octokit.rest.actions.listSelfHostedRunnersForOrg({ org: scope.org, ...params })
            : octokit.rest.actions.listSelfHostedRunnersForRepo({
                owner: scope.owner,
                repo: scope.repo,
                ...params,
              }),
        );
      },
      items: (response) => listItems<RunnerData>(response, 'list-runners', 'runners'),
      totalCount: totalCountOf,
    });
    for (const runner of read.items) if (keep(runner)) found.push(toInfo(runner));
    return found;
  }

  async function findIn(
    octokit: OctokitLike,
    scope: RunnerScope,
    name: string,
  ): Promise<RunnerInfo | undefined> {
    // GitHub filters by name; older GHES versions ignore the parameter, hence the exact match.
    const matches = await listPages(octokit, scope, { name }, (r) => r.name === name);
    return matches[0];
  }

  return {
    async generateJitConfig(request) {
      const octokit = await octokitFor(request.installationId);
      try {
        return await mint(octokit, request);
      } catch (error) {
        if (!(error instanceof GitHubError) || error.code !== 'name-taken') throw error;
        if (!(await releaseName(octokit, request))) throw error;
      }
      // Once more with the same name; a second 409 is thrown as it is (not retryable).
      return await mint(octokit, request);
    },

    async deleteRunner({ installationId, scope, runnerId }) {
      const octokit = await octokitFor(installationId);
      await remove(octokit, scope, runnerId);
    },

    async findRunnerByName({ installationId, scope, name }) {
      const octokit = await octokitFor(installationId);
      return await findIn(octokit, scope, name);
    },

    async listRunners({ installationId, scope, namePrefix }) {
      const octokit = await octokitFor(installationId);
      return await listPages(octokit, scope, {}, (r) =>
        namePrefix === undefined ? true : r.name.startsWith(namePrefix),
      );
    },
  };
}

function contextOf(request: JitConfigRequest): TranslateContext {
  return {
    scope: request.scope,
    runnerName: request.name,
    runnerGroupId: request.runnerGroupId,
    installationId: request.installationId,
  };
}

/**
 * Whether a runner holding our name is our own earlier registration: it carries every label we
 * asked for, sits in our runner group and is ephemeral (JIT), when GitHub says so. Our names end
 * in 48 random bits, so anything matching all of this is, in practice, ours.
 */
function isOurs(runner: RunnerInfo, request: JitConfigRequest): boolean {
  const have = new Set(runner.labels.map((l) => l.toLowerCase()));
  return (
    request.labels.every((l) => have.has(l.toLowerCase())) &&
    (runner.runnerGroupId === undefined || runner.runnerGroupId === request.runnerGroupId) &&
    runner.ephemeral !== false
  );
}

function toInfo(runner: RunnerData): RunnerInfo {
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
