import { describe, expect, it } from '@jest/globals';
import {
  isRepoAllowed,
  parseRepoAllowlist,
  type RepoPattern,
} from '../../src/config/repo-allowlist.js';

describe('parseRepoAllowlist', () => {
  it.each<[string, string | undefined]>([
    ['unset', undefined],
    ['empty', ''],
    ['blank', '   '],
  ])('%s allows every repository (null)', (_name, value) => {
    expect(parseRepoAllowlist(value)).toBeNull();
  });

  it.each<[string, string, RepoPattern[]]>([
    ['one repository', 'acme/api', [{ owner: 'acme', repo: 'api' }]],
    ['an owner wildcard', 'acme/*', [{ owner: 'acme', repo: '*' }]],
    [
      'lower-cased, as GitHub compares names case-insensitively',
      'Acme-Corp/My.Repo_2',
      [{ owner: 'acme-corp', repo: 'my.repo_2' }],
    ],
    [
      'a list with spaces around entries',
      ' acme/api ,  acme-labs/* ,octocat/hello-world ',
      [
        { owner: 'acme', repo: 'api' },
        { owner: 'acme-labs', repo: '*' },
        { owner: 'octocat', repo: 'hello-world' },
      ],
    ],
    [
      'empty entries skipped (trailing comma, double comma)',
      'acme/api,,acme/web,',
      [
        { owner: 'acme', repo: 'api' },
        { owner: 'acme', repo: 'web' },
      ],
    ],
  ])('%s', (_name, value, expected) => {
    expect(parseRepoAllowlist(value)).toStrictEqual(expected);
  });

  it.each([
    ['an owner alone', 'acme', 'acme'],
    ['an owner with a trailing slash', 'acme/', 'acme/'],
    ['a repository without owner', '/api', '/api'],
    ['three segments', 'acme/api/extra', 'acme/api/extra'],
    ['a URL', 'https://github.com/acme/api', 'https://github.com/acme/api'],
    ['an owner wildcard', '*/api', '*/api'],
    ['everything wildcard', '*/*', '*/*'],
    ['a partial wildcard', 'acme/api-*', 'acme/api-*'],
    ['a space inside', 'acme corp/api', 'acme corp/api'],
    ['a bad entry after a good one', 'acme/api, acme', 'acme'],
    ['a semicolon list', 'acme/api;acme/web', 'acme/api;acme/web'],
  ])('refuses %s, quoting the entry and an example', (_name, value, entry) => {
    expect(() => parseRepoAllowlist(value)).toThrow(
      `"${entry}" is not "owner/repo" or "owner/*"; example: my-org/api,my-org/*`,
    );
  });
});

describe('isRepoAllowed', () => {
  const list = parseRepoAllowlist('Acme/API, labs/*, octocat/hello.world');

  it.each<[string, boolean]>([
    ['acme/api', true],
    ['ACME/api', true],
    ['acme/API', true],
    ['AcMe/ApI', true],
    ['labs/anything', true],
    ['LABS/Anything-Else', true],
    ['octocat/hello.world', true],
    ['acme/web', false],
    ['acme/api-v2', false],
    ['acme/ap', false],
    ['acme-evil/api', false],
    ['acm/api', false],
    ['labs-evil/x', false],
    ['xlabs/x', false],
    ['octocat/hello-world', false],
    ['api/acme', false],
    ['acme', false],
    ['', false],
  ])('%j → %s', (fullName, expected) => {
    expect(isRepoAllowed(list, fullName)).toBe(expected);
  });

  it.each(['acme/api', 'someone/else', 'A/B'])('no allowlist (null) allows %j', (fullName) => {
    expect(isRepoAllowed(null, fullName)).toBe(true);
  });

  it('an empty list allows nothing', () => {
    expect(isRepoAllowed([], 'acme/api')).toBe(false);
  });

  it('a wildcard matches only its own owner', () => {
    const wildcard = parseRepoAllowlist('acme/*');
    expect(isRepoAllowed(wildcard, 'acme/api')).toBe(true);
    expect(isRepoAllowed(wildcard, 'Acme/Other')).toBe(true);
    expect(isRepoAllowed(wildcard, 'other/acme')).toBe(false);
    expect(isRepoAllowed(wildcard, 'acme2/api')).toBe(false);
  });
});
