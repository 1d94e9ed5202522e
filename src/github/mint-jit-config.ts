import { scopeKey } from '../domain/runner-scope.js';
import type { JitConfig, JitConfigRequest } from '../ports/runner-registry.js';
import { callForScope } from './call-for-scope.js';
import { GitHubError, type TranslateContext } from './github-error.js';
import type { RegistryCall } from './registry-call.js';
import { githubLogFields } from './rest-log-fields.js';
import type { JitBody } from './runners-octokit.js';

/** The context of a JIT request's errors and log lines. */
export function jitRequestContext(request: JitConfigRequest): TranslateContext {
  return {
    scope: request.scope,
    runnerName: request.name,
    runnerGroupId: request.runnerGroupId,
    installationId: request.installationId,
  };
}

/** Registers a runner just in time: one generate-jitconfig call, its answer checked. */
export async function mintJitConfig(
  call: RegistryCall,
  request: JitConfigRequest,
): Promise<JitConfig> {
  const { octokit, paced, log } = call;
  const { scope } = request;
  const body: JitBody = {
    name: request.name,
    runner_group_id: request.runnerGroupId,
    labels: [...request.labels],
  };
  const context = jitRequestContext(request);
  const response = await paced('generate-jitconfig', context, () =>
    callForScope(
      scope,
      body,
      (p) => octokit.rest.actions.generateRunnerJitconfigForOrg(p),
      (p) => octokit.rest.actions.generateRunnerJitconfigForRepo(p),
    ),
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
