import type { RunnerScope } from '../domain/runner-scope.js';
import { callForScope } from './call-for-scope.js';
import { GitHubError, type TranslateContext } from './github-error.js';
import type { RegistryCall } from './registry-call.js';
import { githubLogFields } from './rest-log-fields.js';

/** Deletes a runner registration; one that is already gone (404) is not an error. */
export async function deleteRegistration(
  call: RegistryCall,
  scope: RunnerScope,
  runnerId: number,
  runnerName?: string,
): Promise<void> {
  const { octokit, paced, log } = call;
  const context: TranslateContext = { scope, ...(runnerName ? { runnerName } : {}) };
  const fields = { ...githubLogFields('delete-runner', context), runnerId };
  try {
    await paced('delete-runner', context, () =>
      callForScope(
        scope,
        { runner_id: runnerId },
        (p) => octokit.rest.actions.deleteSelfHostedRunnerFromOrg(p),
        (p) => octokit.rest.actions.deleteSelfHostedRunnerFromRepo(p),
      ),
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
