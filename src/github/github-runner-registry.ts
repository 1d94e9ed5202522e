import type { Clock } from '../domain/clock.js';
import type { RunnerScope } from '../domain/runner-scope.js';
import type { RunnerRegistry } from '../ports/runner-registry.js';
import { deleteRegistration } from './delete-registration.js';
import { findRegistration } from './find-registration.js';
import type { JitRateLimiter } from './jit-rate-limiter.js';
import { listRegistrations } from './list-registrations.js';
import { createPacedCall } from './paced-call.js';
import { registerRunner } from './register-runner.js';
import type { RegistryCall, RegistryLogger } from './registry-call.js';
import { resolveInstallationOctokit } from './resolve-installation-octokit.js';
import { githubLogFields } from './rest-log-fields.js';
import type { RunnerInfo } from './runner-info.js';
import type { OctokitLike } from './runners-octokit.js';

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
  const paced = createPacedCall({
    limiter,
    clock,
    log,
    maxSecondaryLimitRetries: options.maxSecondaryLimitRetries ?? 5,
    fields: githubLogFields,
  });
  const callFor = async (installationId: number): Promise<RegistryCall> => ({
    octokit: await resolveInstallationOctokit(options.getOctokit, installationId, clock),
    paced,
    log,
  });

  return {
    generateJitConfig: async (request) =>
      await registerRunner(await callFor(request.installationId), request),
    deleteRunner: async ({ installationId, scope, runnerId }) =>
      await deleteRegistration(await callFor(installationId), scope, runnerId),
    findRunnerByName: async ({ installationId, scope, name }) =>
      await findRegistration(await callFor(installationId), scope, name),
    listRunners: async ({ installationId, scope, namePrefix }) =>
      await listRegistrations(await callFor(installationId), scope, {}, (r) =>
        namePrefix === undefined ? true : r.name.startsWith(namePrefix),
      ),
  };
}
