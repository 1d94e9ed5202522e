import { GitHubError } from './github-error.js';
import { translateGitHubError } from './translate-github-error.js';
import { withFix } from './github-error-fix.js';
import { toRepositoryRef, type RepositoryData } from './list-installation-repositories.js';
import { readPages } from './rest-pages.js';
import { listItems, totalCountOf, type RestClient } from './rest-response.js';
import type { RepositoryRef, RunnerGroup } from './runner-group.js';

/** 10 000 repositories: only stops a server that pages forever. */
const MAX_PAGES = 100;

export interface ReadRunnerGroupInput {
  readonly org: string;
  readonly groupId: number;
  readonly now?: () => number;
}

/**
 * The runner group RUNNER_GROUP_ID of an organization, read through one of its installation's
 * clients: its visibility, whether it admits public repositories and workflow restrictions
 * (`GET /orgs/{org}/actions/runner-groups/{id}`), and for a `selected` group every repository it
 * admits (`GET .../repositories`, all pages). Errors are thrown as GitHubErrors that say how to fix
 * them (no such group; the installation lacks the Self-hosted runners permission).
 */
export async function readRunnerGroup(
  client: RestClient,
  input: ReadRunnerGroupInput,
): Promise<RunnerGroup> {
  const { org, groupId } = input;
  const now = input.now ?? Date.now;
  const what = `org ${org} (RUNNER_GROUP_ID=${groupId})`;
  let data: Record<string, unknown>;
  try {
    const response = await client.request(
      'GET /orgs/{org}/actions/runner-groups/{runner_group_id}',
      { org, runner_group_id: groupId },
    );
    data = objectOf(response.data, response.status);
  } catch (error) {
    throw explain(translateGitHubError('get-runner-group', error, { now: now() }), org, what);
  }
  const visibility = typeof data.visibility === 'string' ? data.visibility : 'unknown';
  const group: RunnerGroup = {
    org,
    id: typeof data.id === 'number' ? data.id : groupId,
    name: typeof data.name === 'string' ? data.name : `#${groupId}`,
    visibility,
    isDefault: data.default === true,
    // GitHub's default for a group is false; a missing field is read as GitHub's default.
    allowsPublicRepositories: data.allows_public_repositories === true,
    restrictedToWorkflows: data.restricted_to_workflows === true,
    selectedWorkflows: Array.isArray(data.selected_workflows)
      ? data.selected_workflows.filter((w): w is string => typeof w === 'string')
      : [],
    repositories: undefined,
  };
  if (visibility !== 'selected') return group;
  try {
    return { ...group, repositories: await groupRepositories(client, org, groupId) };
  } catch (error) {
    const failure = translateGitHubError('list-runner-group-repositories', error, { now: now() });
    throw explain(failure, org, what);
  }
}

async function groupRepositories(
  client: RestClient,
  org: string,
  groupId: number,
): Promise<RepositoryRef[]> {
  const read = await readPages<RepositoryData>({
    form: 'page',
    perPage: 100,
    maxPages: MAX_PAGES,
    fetch: ({ page }) =>
      client.request('GET /orgs/{org}/actions/runner-groups/{runner_group_id}/repositories', {
        org,
        runner_group_id: groupId,
        per_page: 100,
        page,
      }),
    items: (response) =>
      listItems<RepositoryData>(response, 'list-runner-group-repositories', 'repositories'),
    totalCount: totalCountOf,
  });
  return read.items.flatMap((r) => toRepositoryRef(r) ?? []);
}

function objectOf(data: unknown, status: number): Record<string, unknown> {
  if (typeof data === 'object' && data !== null && !Array.isArray(data)) {
    return data as Record<string, unknown>;
  }
  throw new GitHubError(`GitHub get-runner-group answered ${status} without a runner group`, {
    operation: 'get-runner-group',
    code: 'unexpected-response',
    retryable: false,
  });
}

/** The fixes for what goes wrong when reading a runner group. */
function explain(error: GitHubError, org: string, what: string): GitHubError {
  if (error.code === 'not-found') {
    return withFix(
      error,
      what,
      `RUNNER_GROUP_ID is not a runner group of ${org}, or the App's installation cannot see it; ` +
        `list the groups with \`gh api orgs/${org}/actions/runner-groups --jq '.runner_groups[] | [.id,.name]'\` ` +
        'and set RUNNER_GROUP_ID to the id of the one the runners should join',
    );
  }
  if (error.code === 'forbidden') {
    return withFix(
      error,
      what,
      'the installation cannot read runner groups: the App needs "Organization permissions → ' +
        `Self-hosted runners" (read and write); add it to the App and accept it on ${org}'s installation`,
    );
  }
  return error;
}
