import { describe, expect, it } from '@jest/globals';
import { parseRepoAllowlist, type RepoPolicy } from '../../src/config/repo-allowlist.js';
import { evaluateRunnerGroup } from '../../src/github/evaluate-runner-group.js';
import type { RunnerGroup } from '../../src/github/runner-group.js';
import { repo, runnerGroup } from './runner-group-fixtures.js';

const web = repo(1, 'acme/web');
const api = repo(2, 'acme/api');
const site = repo(3, 'acme/site', false);
const secret = repo(4, 'acme/secret');
const orgRepos = [web, api, site, secret];

const group = runnerGroup;

const policy = (allowed: string | undefined, allowPublicRepos = false): RepoPolicy => ({
  allowedRepos: parseRepoAllowlist(allowed),
  allowPublicRepos,
});

describe('evaluateRunnerGroup', () => {
  it.each<[string, RunnerGroup, RepoPolicy, string[], string[][]]>([
    ['all, private only, no allowlist', group(), policy(undefined), [], []],
    [
      'all, public allowed by both',
      group({ allowsPublicRepositories: true }),
      policy(undefined, true),
      [],
      [],
    ],
    [
      'all admits public, ALLOW_PUBLIC_REPOS=false',
      group({ allowsPublicRepositories: true }),
      policy(undefined),
      ['admits-public-repositories'],
      [['acme/site']],
    ],
    [
      'private visibility ignores the public flag',
      group({ visibility: 'private', allowsPublicRepositories: true }),
      policy(undefined),
      [],
      [],
    ],
    [
      'all with an allowlist: every other repository of the org',
      group(),
      policy('acme/web'),
      ['admits-repositories-outside-allowlist'],
      [['acme/api', 'acme/secret']],
    ],
    ['all with acme/* allowed', group(), policy('acme/*'), [], []],
    [
      'private with an allowlist lists private ones only',
      group({ visibility: 'private' }),
      policy('acme/web'),
      ['admits-repositories-outside-allowlist'],
      [['acme/api', 'acme/secret']],
    ],
    [
      'selected within the allowlist',
      group({ visibility: 'selected', repositories: [web] }),
      policy('acme/web,acme/infra'),
      [],
      [],
    ],
    [
      'selected with repositories outside the allowlist',
      group({ visibility: 'selected', repositories: [web, api, secret] }),
      policy('acme/web'),
      ['admits-repositories-outside-allowlist'],
      [['acme/api', 'acme/secret']],
    ],
    [
      'selected: a public repository is admitted only with the flag',
      group({ visibility: 'selected', repositories: [web, site] }),
      policy('acme/web'),
      [],
      [],
    ],
    [
      'both problems at once',
      group({ visibility: 'selected', repositories: [web, site], allowsPublicRepositories: true }),
      policy('acme/web'),
      ['admits-public-repositories', 'admits-repositories-outside-allowlist'],
      [['acme/site'], ['acme/site']],
    ],
  ])('%s', (_name, g, p, kinds, examples) => {
    const problems = evaluateRunnerGroup(g, p, { orgRepositories: orgRepos });
    expect(problems.map((x) => x.kind)).toEqual(kinds);
    expect(problems.map((x) => x.repositories)).toEqual(examples);
    for (const problem of problems) {
      expect(problem.message).toContain('runner group "modal" (RUNNER_GROUP_ID=5) of acme');
      expect(problem.fix).toContain(
        'https://github.com/organizations/acme/settings/actions/runner-groups/5',
      );
    }
  });

  it('the public problem says what to untick, and the risk', () => {
    const [problem] = evaluateRunnerGroup(
      group({ allowsPublicRepositories: true }),
      policy(undefined),
    );
    expect(problem?.message).toContain('admits public repositories while ALLOW_PUBLIC_REPOS=false');
    expect(problem?.fix).toContain('untick "Allow public repositories"');
    expect(problem?.repositories).toEqual([]);
  });

  it('a whole-org group without known repositories still fails, naming the visibility', () => {
    const [problem] = evaluateRunnerGroup(group(), policy('acme/web'), {
      webOrigin: 'https://ghe.example.com',
    });
    expect(problem?.message).toContain('admits every repository of acme (visibility "all")');
    expect(problem?.fix).toContain('"Selected repositories"');
    expect(problem?.fix).toContain('https://ghe.example.com/organizations/acme/');
  });

  it('lists at most ten repositories and counts the rest', () => {
    const many = Array.from({ length: 13 }, (_, i) => repo(100 + i, `acme/x${i}`));
    const [problem] = evaluateRunnerGroup(
      group({ visibility: 'selected', repositories: many }),
      policy('acme/web'),
    );
    expect(problem?.repositories).toHaveLength(10);
    expect(problem?.message).toContain('admits 13 repositories outside ALLOWED_REPOS');
    expect(problem?.message).toContain('acme/x9, and 3 more)');
  });
});
