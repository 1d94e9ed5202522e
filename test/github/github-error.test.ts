import { describe, expect, it } from '@jest/globals';
import { retryHintOf } from '../../src/domain/error-fields.js';
import { GitHubError } from '../../src/github/github-error.js';
import { parseRetryAfter } from '../../src/github/parse-retry-after.js';
import { translateGitHubError } from '../../src/github/translate-github-error.js';

const NOW = 1_700_000_000_000;

/** The shape of an Octokit RequestError that got an HTTP answer. */
function httpError(status: number, data: unknown, headers: Record<string, string> = {}) {
  return Object.assign(new Error('octokit message'), {
    name: 'HttpError',
    status,
    request: { method: 'POST', url: 'https://api.github.com/x', headers: {} },
    response: { status, url: 'https://api.github.com/x', headers, data },
  });
}

describe('translateGitHubError', () => {
  it.each([
    // status, body message, headers, code, retryable, retryAfterMs
    [500, 'Server Error', {}, 'server-error', true, undefined],
    [503, 'Unavailable', {}, 'server-error', true, undefined],
    [403, 'You have exceeded a secondary rate limit.', {}, 'secondary-rate-limit', true, 60_000],
    [
      429,
      'You have exceeded a secondary rate limit.',
      { 'retry-after': '5' },
      'secondary-rate-limit',
      true,
      5_000,
    ],
    [
      403,
      'You have triggered an abuse detection mechanism.',
      {},
      'secondary-rate-limit',
      true,
      60_000,
    ],
    [403, 'Forbidden', { 'retry-after': '7' }, 'secondary-rate-limit', true, 7_000],
    [429, 'Too Many Requests', {}, 'secondary-rate-limit', true, 60_000],
    [
      403,
      'API rate limit exceeded',
      { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(NOW / 1000 + 90) },
      'primary-rate-limit',
      true,
      90_000,
    ],
    [
      403,
      'Resource not accessible by integration',
      { 'x-ratelimit-remaining': '4000' },
      'forbidden',
      false,
      undefined,
    ],
    [401, 'Bad credentials', {}, 'unauthorized', false, undefined],
    [404, 'Not Found', {}, 'not-found', false, undefined],
    [409, 'Already exists', {}, 'name-taken', false, undefined],
    [422, 'Validation Failed', {}, 'validation-failed', false, undefined],
    [400, 'Problems parsing JSON', {}, 'unknown', false, undefined],
  ])(
    '%i "%s" %j → %s, retryable %s, wait %s',
    (status, message, headers, code, retryable, retryAfterMs) => {
      const error = translateGitHubError(
        'generate-jitconfig',
        httpError(status, { message }, headers),
        {
          now: NOW,
        },
      );
      expect(error).toBeInstanceOf(GitHubError);
      expect(error).toMatchObject({ status, code, retryable, operation: 'generate-jitconfig' });
      expect(error.retryAfterMs).toBe(retryAfterMs);
      expect(error.githubMessage).toBe(message);
      expect(retryHintOf(error).retryable).toBe(retryable);
    },
  );

  it('marks only a 422 on delete-runner as a busy runner', () => {
    const busy = translateGitHubError('delete-runner', httpError(422, { message: 'busy' }));
    const invalid = translateGitHubError('generate-jitconfig', httpError(422, { message: 'x' }));
    expect(busy).toMatchObject({ runnerBusy: true, code: 'runner-busy', retryable: false });
    expect(invalid.runnerBusy).toBe(false);
  });

  it('names the repository and the Default group for repo-level 422s', () => {
    const error = translateGitHubError('generate-jitconfig', httpError(422, { message: 'bad' }), {
      scope: { kind: 'repo', owner: 'octo', repo: 'hello' },
      runnerGroupId: 5,
    });
    expect(error.message).toContain('repo octo/hello');
    expect(error.message).toContain('runner group 5');
    expect(error.message).toContain('Default group, 1');
  });

  it('treats network failures as retryable', () => {
    // What Octokit throws when fetch fails: status 500, no response, the socket error as cause.
    const reset = Object.assign(new Error('other side closed'), { code: 'ECONNRESET' });
    const fetchFailed = new TypeError('fetch failed', { cause: reset });
    const wrapped = Object.assign(new Error('other side closed', { cause: fetchFailed }), {
      name: 'HttpError',
      status: 500,
      request: {},
    });
    expect(translateGitHubError('list-runners', wrapped)).toMatchObject({
      code: 'network',
      retryable: true,
      status: undefined,
    });
    const timeout = Object.assign(new Error('The operation was aborted'), { name: 'AbortError' });
    expect(translateGitHubError('list-runners', timeout)).toMatchObject({
      code: 'network',
      retryable: true,
    });
  });

  it('does not retry errors it does not recognise', () => {
    const error = translateGitHubError('generate-jitconfig', new TypeError('x is not a function'));
    expect(error).toMatchObject({ code: 'unknown', retryable: false });
    expect(error.message).toContain('x is not a function');
  });

  it('returns a GitHubError unchanged', () => {
    const original = new GitHubError('m', { operation: 'o', code: 'unknown', retryable: false });
    expect(translateGitHubError('other', original)).toBe(original);
  });

  it('keeps credentials that GitHub might echo out of the message', () => {
    const token = 'ghs_16C7e42F292c6912E7710c838347Ae178B4a';
    const error = translateGitHubError(
      'generate-jitconfig',
      httpError(400, { message: `bad token ${token} and github_pat_11ABCDEFG0123456789_xyz` }),
    );
    expect(error.message).not.toContain(token);
    expect(error.message).not.toContain('github_pat_11ABCDEFG');
    expect(error.githubMessage).not.toContain(token);
    expect(error.message).toContain('[REDACTED]');
  });

  it('does not repeat an HTML error page', () => {
    const error = translateGitHubError('delete-runner', httpError(502, '<html>oops</html>'));
    expect(error.message).not.toContain('<html>');
    expect(error.githubMessage).toBeUndefined();
  });
});

describe('parseRetryAfter', () => {
  it.each([
    ['2', 2_000],
    ['0', 0],
    ['1.5', 1_500],
    [new Date(NOW + 30_000).toUTCString(), 30_000],
    [new Date(NOW - 30_000).toUTCString(), 0],
    ['soon', undefined],
    ['', undefined],
    [undefined, undefined],
  ])('%s → %s ms', (value, expected) => {
    expect(parseRetryAfter(value, NOW)).toBe(expected);
  });
});
