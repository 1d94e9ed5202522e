import { describe, expect, it } from '@jest/globals';
import { parseRepoAllowlist, type RepoPolicy } from '../../src/config/repo-allowlist.js';
import { planRunnerGroupSync } from '../../src/github/plan-runner-group-sync.js';
import type { RunnerGroup, RunnerGroupWrite } from '../../src/github/runner-group.js';
import { repo, runnerGroup } from './runner-group-fixtures.js';

const web = repo(1, 'acme/web');
const api = repo(2, 'acme/api');
const site = repo(3, 'acme/site', false);
const other = repo(9, 'octo/elsewhere');
const installation = [web, api, site, other];

function group(overrides: Partial<RunnerGroup> = {}): RunnerGroup {
  return runnerGroup({ visibility: 'selected', repositories: [web, api], ...overrides });
}

const policy = (allowed: string | undefined, allowPublicRepos = false): RepoPolicy => ({
  allowedRepos: parseRepoAllowlist(allowed),
  allowPublicRepos,
});
const update = (allowsPublicRepositories: boolean): RunnerGroupWrite => ({
  kind: 'update',
  visibility: 'selected',
  allowsPublicRepositories,
});
const put = (...repositoryIds: number[]): RunnerGroupWrite => ({
  kind: 'set-repositories',
  repositoryIds,
});

describe('planRunnerGroupSync', () => {
  it.each<[string, RunnerGroup, RepoPolicy, RunnerGroupWrite[], string[]]>([
    ['already equal: nothing to do', group(), policy(undefined), [], ['acme/web', 'acme/api']],
    [
      'equal in another order',
      group({ repositories: [api, web] }),
      policy(undefined),
      [],
      ['acme/web', 'acme/api'],
    ],
    [
      'an `all` group becomes selected with the allowed repositories',
      group({ visibility: 'all', repositories: undefined }),
      policy(undefined),
      [update(false), put(1, 2)],
      ['acme/web', 'acme/api'],
    ],
    [
      'a `private` group likewise',
      group({ visibility: 'private', repositories: undefined }),
      policy('acme/web'),
      [update(false), put(1)],
      ['acme/web'],
    ],
    [
      'only the public flag differs',
      group({ allowsPublicRepositories: true }),
      policy(undefined),
      [update(false)],
      ['acme/web', 'acme/api'],
    ],
    ['ALLOWED_REPOS narrows the list', group(), policy('acme/api'), [put(2)], ['acme/api']],
    [
      'a public repository joins only with ALLOW_PUBLIC_REPOS=true, and the flag turns on',
      group(),
      policy(undefined, true),
      [update(true), put(1, 2, 3)],
      ['acme/web', 'acme/api', 'acme/site'],
    ],
    ['an empty allowed set empties the group', group(), policy('acme/none'), [put()], []],
    [
      'a selected group whose list is unknown is replaced whole',
      group({ repositories: undefined }),
      policy(undefined),
      [put(1, 2)],
      ['acme/web', 'acme/api'],
    ],
  ])('%s', (_name, g, p, writes, repositories) => {
    const plan = planRunnerGroupSync(g, installation, p);
    expect(plan.writes).toEqual(writes);
    expect(plan.repositories).toEqual(repositories);
    // Every plan with writes says what changes; one without says nothing.
    expect(plan.changes.length > 0).toBe(writes.length > 0);
  });

  it('says what is added and removed, for the log', () => {
    const plan = planRunnerGroupSync(
      group({ repositories: [web, repo(7, 'acme/old')] }),
      installation,
      policy('acme/web,acme/api'),
    );
    expect(plan.added).toEqual(['acme/api']);
    expect(plan.removed).toEqual(['acme/old']);
    expect(plan.changes).toEqual(['repositories: 2 (+acme/api; -acme/old)']);
  });

  it('names the visibility and flag changes', () => {
    const plan = planRunnerGroupSync(
      group({ visibility: 'all', repositories: undefined, allowsPublicRepositories: true }),
      [web],
      policy(undefined),
    );
    expect(plan.changes).toEqual([
      'visibility all → selected',
      'allows_public_repositories true → false',
      'repositories: 1 (+acme/web)',
    ]);
  });

  it('repositories listed twice are asked for once', () => {
    const plan = planRunnerGroupSync(
      group({ visibility: 'all' }),
      [web, web, api],
      policy(undefined),
    );
    expect(plan.writes).toContainEqual(put(1, 2));
  });
});
