import type { GitHubError } from './github-error.js';
import { translateGitHubError } from './translate-github-error.js';
import { withFix } from './github-error-fix.js';
import type { RestClient } from './rest-response.js';
import {
  runnerGroupLabel,
  runnerGroupSettingsUrl,
  type RunnerGroup,
  type RunnerGroupWrite,
} from './runner-group.js';

export type WrittenGroup = Pick<RunnerGroup, 'org' | 'id' | 'name' | 'isDefault'>;

export interface WriteOptions {
  readonly now?: () => number;
  /** `https://github.com` or the GHE server's web origin, for the settings URL in messages. */
  readonly webOrigin?: string;
}

/**
 * Carries out RUNNER_GROUP_SYNC's changes in order (see `planRunnerGroupSync`): the `PATCH` that
 * makes the group `selected` and sets its public flag, then the `PUT` of its repositories. Errors
 * are thrown as GitHubErrors with the fix; a Default group that the organization's plan does not
 * let be restricted says so, and what to do instead.
 */
export async function applyRunnerGroupWrites(
  client: RestClient,
  group: WrittenGroup,
  writes: readonly RunnerGroupWrite[],
  options: WriteOptions = {},
): Promise<void> {
  for (const write of writes) {
    if (write.kind === 'update') await updateRunnerGroup(client, group, write, options);
    else await setRunnerGroupRepositories(client, group, write.repositoryIds, options);
  }
}

/** `PATCH /orgs/{org}/actions/runner-groups/{id}` with `visibility` and `allows_public_repositories`. */
export async function updateRunnerGroup(
  client: RestClient,
  group: WrittenGroup,
  write: Extract<RunnerGroupWrite, { kind: 'update' }>,
  options: WriteOptions = {},
): Promise<void> {
  try {
    await client.request('PATCH /orgs/{org}/actions/runner-groups/{runner_group_id}', {
      org: group.org,
      runner_group_id: group.id,
      visibility: write.visibility,
      allows_public_repositories: write.allowsPublicRepositories,
    });
  } catch (error) {
    throw explain('update-runner-group', error, group, options);
  }
}

/** `PUT /orgs/{org}/actions/runner-groups/{id}/repositories` with `selected_repository_ids`. */
export async function setRunnerGroupRepositories(
  client: RestClient,
  group: WrittenGroup,
  repositoryIds: readonly number[],
  options: WriteOptions = {},
): Promise<void> {
  try {
    await client.request('PUT /orgs/{org}/actions/runner-groups/{runner_group_id}/repositories', {
      org: group.org,
      runner_group_id: group.id,
      selected_repository_ids: [...repositoryIds],
    });
  } catch (error) {
    throw explain('set-runner-group-repositories', error, group, options);
  }
}

function explain(
  operation: string,
  raw: unknown,
  group: WrittenGroup,
  options: WriteOptions,
): GitHubError {
  const error = translateGitHubError(operation, raw, { now: (options.now ?? Date.now)() });
  const what = runnerGroupLabel(group);
  const settings = runnerGroupSettingsUrl(group, options.webOrigin);
  const refused = error.code === 'forbidden' || error.code === 'validation-failed';
  if (refused && (group.isDefault || group.id === 1)) {
    // GitHub documents no error for this; organizations on some plans cannot restrict the
    // Default group to selected repositories, and GitHub refuses the change (403 or 422).
    return withFix(
      error,
      what,
      "GitHub refused to restrict the organization's Default runner group. On some GitHub plans " +
        "the Default group's repository access cannot be changed" +
        (error.code === 'forbidden'
          ? ' (or the App lacks "Organization permissions → Self-hosted runners: Read and write")'
          : '') +
        `. Create a runner group of its own for these runners (${settings.replace(/\/\d+$/, '')}, ` +
        '"New runner group"; on plans without custom groups, move to one that has them), set ' +
        'RUNNER_GROUP_ID to its id and restart; or set RUNNER_GROUP_SYNC=false and restrict the ' +
        'group by hand',
    );
  }
  if (error.code === 'forbidden') {
    return withFix(
      error,
      what,
      'the App needs "Organization permissions → Self-hosted runners: Read and write" to change ' +
        `runner groups; add it to the App and accept it on ${group.org}'s installation, or set ` +
        `RUNNER_GROUP_SYNC=false and change the group by hand at ${settings}`,
    );
  }
  if (error.code === 'not-found') {
    return withFix(
      error,
      what,
      `the group is gone, or the installation cannot see it; check RUNNER_GROUP_ID at ${settings}`,
    );
  }
  return error;
}
