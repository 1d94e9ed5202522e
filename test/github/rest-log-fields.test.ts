import { describe, expect, it } from '@jest/globals';
import { githubLogFields } from '../../src/github/rest-log-fields.js';

describe('githubLogFields', () => {
  it('names the operation, installation, scope and runner, and nothing else', () => {
    expect(
      githubLogFields('generate-jitconfig', {
        installationId: 7,
        scope: { kind: 'org', org: 'acme' },
        runnerName: 'modal-0123',
        runnerGroupId: 3,
        now: 5,
      }),
    ).toStrictEqual({
      operation: 'generate-jitconfig',
      installationId: 7,
      scope: 'org:acme',
      runnerName: 'modal-0123',
    });
    expect(
      githubLogFields('get-job', { scope: { kind: 'repo', owner: 'octo', repo: 'hello' } }),
    ).toStrictEqual({ operation: 'get-job', scope: 'repo:octo/hello' });
    expect(githubLogFields('list-installations', {})).toStrictEqual({
      operation: 'list-installations',
    });
  });
});
