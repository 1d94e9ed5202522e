import { inspect } from 'node:util';
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import nock from 'nock';
import { ProbotOctokit } from 'probot';
import { retryHintOf } from '../../src/domain/error-fields.js';
import type { JitConfigRequest } from '../../src/ports/runner-registry.js';
import { createGitHubRunnerRegistry } from '../../src/github/github-runner-registry.js';
import type { RegistryLogger } from '../../src/github/registry-call.js';
import type { OctokitLike } from '../../src/github/runners-octokit.js';
import { createJitRateLimiter } from '../../src/github/jit-rate-limiter.js';
import { FakeGitHub, jitBodyProblem } from '../../sim/fake-github.js';
import { FakeClock } from '../../sim/fake-clock.js';
import { rejection } from './rejection.js';

const TOKEN = 'ghs_test';
const JIT = 'ZW5jb2RlZC1qaXQtY29uZmlnLXRoYXQtbXVzdC1uZXZlci1sZWFr';
const API = 'https://api.github.com';
const NAME = 'modal-modal-0123456789ab';
const LABELS = ['self-hosted', 'Linux', 'X64', 'modal'];
const SECONDARY = {
  message:
    'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.',
  documentation_url: 'https://docs.github.com/rest/overview/rate-limits-for-the-rest-api',
};

const orgRequest: JitConfigRequest = {
  installationId: 7,
  scope: { kind: 'org', org: 'acme' },
  name: NAME,
  labels: LABELS,
  runnerGroupId: 3,
};
const repoRequest: JitConfigRequest = {
  installationId: 8,
  scope: { kind: 'repo', owner: 'octo', repo: 'hello' },
  name: NAME,
  labels: LABELS,
  runnerGroupId: 1,
};

function jitResponse(id: number, name = NAME, encoded = JIT) {
  return {
    runner: {
      id,
      name,
      os: 'unknown',
      status: 'offline',
      busy: false,
      runner_group_id: 3,
      labels: LABELS.map((l, i) => ({ id: i + 1, name: l, type: 'read-only' })),
    },
    encoded_jit_config: encoded,
  };
}

function runner(id: number, overrides: Record<string, unknown> = {}) {
  return {
    id,
    name: NAME,
    os: 'Linux',
    status: 'offline',
    busy: false,
    runner_group_id: 3,
    ephemeral: true,
    labels: LABELS.map((l, i) => ({ id: i + 1, name: l, type: 'custom' })),
    ...overrides,
  };
}

interface LogLine {
  level: 'debug' | 'warn';
  fields: Record<string, unknown>;
  message: string;
}

function setup(options: { baseUrl?: string; maxSecondaryLimitRetries?: number } = {}) {
  const clock = new FakeClock('auto');
  const limiter = createJitRateLimiter({ ratePerSecond: 10, clock });
  const lines: LogLine[] = [];
  const log: RegistryLogger = {
    debug: (fields, message) => lines.push({ level: 'debug', fields, message }),
    warn: (fields, message) => lines.push({ level: 'warn', fields, message }),
  };
  const installations: number[] = [];
  const registry = createGitHubRunnerRegistry({
    getOctokit: async (installationId) => {
      installations.push(installationId);
      const octokit: OctokitLike = new ProbotOctokit({
        auth: { token: TOKEN },
        throttle: { enabled: false },
        retry: { enabled: false },
        ...(options.baseUrl ? { baseUrl: options.baseUrl } : {}),
      });
      return octokit;
    },
    limiter,
    clock,
    log,
    ...(options.maxSecondaryLimitRetries === undefined
      ? {}
      : { maxSecondaryLimitRetries: options.maxSecondaryLimitRetries }),
  });
  return { registry, clock, limiter, lines, installations };
}

/** Everything an error could show when logged or printed, its cause included. */
function everything(error: unknown): string {
  return `${inspect(error, { depth: Infinity, showHidden: true })} ${JSON.stringify(error)}`;
}

beforeAll(() => nock.disableNetConnect());
afterEach(() => {
  const pending = nock.pendingMocks();
  nock.cleanAll();
  expect(pending).toEqual([]);
});
afterAll(() => nock.enableNetConnect());

describe('generateJitConfig', () => {
  it('mints an org runner with the exact body, authenticated as the installation', async () => {
    const { registry, installations, lines } = setup();
    const bodies: unknown[] = [];
    nock(API)
      .post('/orgs/acme/actions/runners/generate-jitconfig', (body) => bodies.push(body) > 0)
      .matchHeader('authorization', `token ${TOKEN}`)
      .reply(201, jitResponse(42));

    const jit = await registry.generateJitConfig(orgRequest);

    expect(jit).toEqual({ runnerId: 42, encodedJitConfig: JIT });
    expect(bodies).toStrictEqual([{ name: NAME, runner_group_id: 3, labels: LABELS }]);
    expect(jitBodyProblem(bodies[0])).toBeUndefined();
    expect(installations).toEqual([7]);
    expect(lines).toContainEqual({
      level: 'debug',
      fields: {
        operation: 'generate-jitconfig',
        installationId: 7,
        scope: 'org:acme',
        runnerName: NAME,
        status: 201,
        runnerId: 42,
      },
      message: 'runner registered just in time',
    });
  });

  it('mints a repo runner on the repository endpoint', async () => {
    const { registry, installations } = setup();
    const bodies: unknown[] = [];
    nock(API)
      .post('/repos/octo/hello/actions/runners/generate-jitconfig', (body) => bodies.push(body) > 0)
      .reply(201, jitResponse(43));

    const jit = await registry.generateJitConfig(repoRequest);

    expect(jit).toEqual({ runnerId: 43, encodedJitConfig: JIT });
    expect(bodies).toStrictEqual([{ name: NAME, runner_group_id: 1, labels: LABELS }]);
    expect(installations).toEqual([8]);
  });

  it('honours a GitHub Enterprise Server base URL', async () => {
    const { registry } = setup({ baseUrl: 'https://ghe.example.com/api/v3' });
    const bodies: unknown[] = [];
    nock('https://ghe.example.com')
      .post('/api/v3/orgs/acme/actions/runners/generate-jitconfig', (b) => bodies.push(b) > 0)
      .matchHeader('authorization', `token ${TOKEN}`)
      .reply(201, jitResponse(44));

    await expect(registry.generateJitConfig(orgRequest)).resolves.toEqual({
      runnerId: 44,
      encodedJitConfig: JIT,
    });
    expect(bodies).toStrictEqual([{ name: NAME, runner_group_id: 3, labels: LABELS }]);
  });

  it('passes labels exactly as given', async () => {
    const { registry } = setup();
    const labels = ['self-hosted', 'linux', 'x64', 'modal-gpu-h100'];
    const bodies: unknown[] = [];
    nock(API)
      .post('/orgs/acme/actions/runners/generate-jitconfig', (b) => bodies.push(b) > 0)
      .reply(201, jitResponse(45));
    await registry.generateJitConfig({ ...orgRequest, labels });
    expect((bodies[0] as { labels: unknown }).labels).toStrictEqual(labels);
  });

  it('turns a 502 into a retryable error', async () => {
    const { registry } = setup();
    nock(API)
      .post('/orgs/acme/actions/runners/generate-jitconfig')
      .reply(502, '<html>Bad gateway</html>', { 'content-type': 'text/html' });

    const error = await rejection(registry.generateJitConfig(orgRequest));

    expect(error).toMatchObject({
      status: 502,
      code: 'server-error',
      retryable: true,
      operation: 'generate-jitconfig',
    });
    expect(retryHintOf(error)).toEqual({ retryable: true });
    expect(error.message).not.toContain('<html>');
  });

  it('turns a connection reset into a retryable network error', async () => {
    const { registry } = setup();
    nock(API)
      .post('/orgs/acme/actions/runners/generate-jitconfig')
      .replyWithError({ code: 'ECONNRESET', message: 'socket hang up' });

    const error = await rejection(registry.generateJitConfig(orgRequest));

    expect(error).toMatchObject({ code: 'network', retryable: true, status: undefined });
    expect(error.message).toContain('ECONNRESET');
  });

  it('waits out a secondary rate limit in the limiter and mints exactly one runner', async () => {
    const { registry, clock, limiter, lines } = setup();
    const start = clock.now();
    const bodies: unknown[] = [];
    nock(API)
      .post('/orgs/acme/actions/runners/generate-jitconfig', (b) => bodies.push(b) > 0)
      .reply(403, SECONDARY, { 'retry-after': '2' })
      .post('/orgs/acme/actions/runners/generate-jitconfig', (b) => bodies.push(b) > 0)
      .reply(201, jitResponse(46));

    const jit = await registry.generateJitConfig(orgRequest);

    expect(jit.runnerId).toBe(46);
    expect(bodies).toHaveLength(2);
    expect(bodies[1]).toStrictEqual(bodies[0]);
    // The limiter held the retry for exactly retry-after, and now runs at half rate.
    expect(clock.sleeps).toEqual([2_000]);
    expect(clock.now() - start).toBe(2_000);
    expect(limiter.currentRate()).toBe(5);
    expect(lines).toContainEqual({
      level: 'warn',
      fields: {
        operation: 'generate-jitconfig',
        installationId: 7,
        scope: 'org:acme',
        runnerName: NAME,
        status: 403,
        retryAfterMs: 2_000,
        attempt: 1,
        ratePerSecond: 5,
        retrying: true,
      },
      message: 'GitHub secondary rate limit; pausing GitHub calls and retrying',
    });
  });

  it('treats a 429 without retry-after as a secondary limit with GitHub’s 60 s wait', async () => {
    const { registry, clock } = setup();
    nock(API)
      .post('/orgs/acme/actions/runners/generate-jitconfig')
      .reply(429, { message: 'Too many requests' })
      .post('/orgs/acme/actions/runners/generate-jitconfig')
      .reply(201, jitResponse(47));

    await expect(registry.generateJitConfig(orgRequest)).resolves.toMatchObject({ runnerId: 47 });
    expect(clock.sleeps).toEqual([60_000]);
  });

  it('gives up after maxSecondaryLimitRetries with a retryable error', async () => {
    const { registry } = setup({ maxSecondaryLimitRetries: 2 });
    nock(API)
      .post('/orgs/acme/actions/runners/generate-jitconfig')
      .times(3)
      .reply(403, SECONDARY, { 'retry-after': '1' });

    const error = await rejection(registry.generateJitConfig(orgRequest));

    expect(error).toMatchObject({
      code: 'secondary-rate-limit',
      retryable: true,
      retryAfterMs: 1_000,
      status: 403,
    });
    expect(error.message).toContain('JIT_RATE_PER_SECOND');
  });

  it('does not retry a primary rate limit but says when it resets', async () => {
    const { registry, clock, limiter } = setup();
    const reset = Math.floor(clock.now() / 1000) + 600;
    nock(API)
      .post('/orgs/acme/actions/runners/generate-jitconfig')
      .reply(
        403,
        { message: 'API rate limit exceeded for installation ID 7.' },
        { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(reset) },
      );

    const error = await rejection(registry.generateJitConfig(orgRequest));

    expect(error).toMatchObject({ code: 'primary-rate-limit', retryable: true });
    expect(error.retryAfterMs).toBe(reset * 1000 - clock.now());
    expect(limiter.currentRate()).toBe(10);
  });

  it('explains a 403 permission error, not retryable', async () => {
    const { registry } = setup();
    nock(API)
      .post('/orgs/acme/actions/runners/generate-jitconfig')
      .reply(403, { message: 'Resource not accessible by integration' });

    const error = await rejection(registry.generateJitConfig(orgRequest));

    expect(error.retryable).toBe(false);
    expect(error.code).toBe('forbidden');
    expect(error.message).toContain('`organization_self_hosted_runners: write` (org)');
    expect(error.message).toContain('`administration: write` (repo-level runners)');
    expect(error.message).toContain('accept them on the installation');
    expect(error.message).toContain('Resource not accessible by integration');
  });

  it('explains a 404: the org or RUNNER_GROUP_ID does not exist or cannot be seen', async () => {
    const { registry } = setup();
    nock(API)
      .post('/orgs/acme/actions/runners/generate-jitconfig')
      .reply(404, { message: 'Not Found' });

    const error = await rejection(registry.generateJitConfig(orgRequest));

    expect(error).toMatchObject({ code: 'not-found', retryable: false, status: 404 });
    expect(error.message).toContain('org acme');
    expect(error.message).toContain('RUNNER_GROUP_ID (3)');
    expect(error.message).toContain('cannot see it');
  });

  it('explains a 422: the runner group or the labels', async () => {
    const { registry } = setup();
    nock(API)
      .post('/orgs/acme/actions/runners/generate-jitconfig')
      .reply(422, { message: 'Invalid runner group.' });

    const error = await rejection(registry.generateJitConfig(orgRequest));

    expect(error).toMatchObject({ code: 'validation-failed', retryable: false });
    expect(error.message).toContain('runner group 3');
    expect(error.message).toContain('labels');
    expect(error.message).toContain('Invalid runner group.');
  });

  it('after a 409, deletes our unused registration of that name and mints again', async () => {
    const { registry, lines } = setup();
    const calls: string[] = [];
    nock(API)
      .post('/orgs/acme/actions/runners/generate-jitconfig')
      .reply(409, { message: 'Already exists - A runner with the same name already exists.' })
      .get('/orgs/acme/actions/runners')
      .query({ name: NAME, per_page: '100', page: '1' })
      .reply(200, () => {
        calls.push('list');
        return { total_count: 1, runners: [runner(40)] };
      })
      .delete('/orgs/acme/actions/runners/40')
      .reply(204, () => {
        calls.push('delete');
        return '';
      })
      .post('/orgs/acme/actions/runners/generate-jitconfig')
      .reply(201, () => {
        calls.push('mint');
        return jitResponse(41);
      });

    await expect(registry.generateJitConfig(orgRequest)).resolves.toEqual({
      runnerId: 41,
      encodedJitConfig: JIT,
    });
    expect(calls).toEqual(['list', 'delete', 'mint']);
    expect(lines.some((l) => l.level === 'warn' && l.fields.runnerId === 40)).toBe(true);
  });

  it('after a 409, leaves an online runner alone and says the name is in use', async () => {
    const { registry } = setup();
    nock(API)
      .post('/orgs/acme/actions/runners/generate-jitconfig')
      .reply(409, { message: 'Already exists - A runner with the same name already exists.' })
      .get('/orgs/acme/actions/runners')
      .query(true)
      .reply(200, { total_count: 1, runners: [runner(40, { status: 'online', busy: true })] });

    const error = await rejection(registry.generateJitConfig(orgRequest));

    expect(error).toMatchObject({ code: 'name-taken', retryable: false, status: 409 });
    expect(error.message).toContain(`runner name ${NAME} is already in use in org acme`);
  });

  it('after a 409, leaves a runner that is not ours alone', async () => {
    const { registry } = setup();
    nock(API)
      .post('/orgs/acme/actions/runners/generate-jitconfig')
      .reply(409, { message: 'Already exists' })
      .get('/orgs/acme/actions/runners')
      .query(true)
      .reply(200, {
        total_count: 1,
        runners: [
          runner(40, {
            labels: [
              { id: 1, name: 'self-hosted' },
              { id: 2, name: 'gpu' },
            ],
          }),
        ],
      });

    const error = await rejection(registry.generateJitConfig(orgRequest));
    expect(error.code).toBe('name-taken');
  });

  it('mints again only once: a second 409 is not retryable', async () => {
    const { registry } = setup();
    nock(API)
      .post('/repos/octo/hello/actions/runners/generate-jitconfig')
      .reply(409, { message: 'Already exists' })
      .get('/repos/octo/hello/actions/runners')
      .query({ name: NAME, per_page: '100', page: '1' })
      .reply(200, { total_count: 1, runners: [runner(40, { runner_group_id: 1 })] })
      .delete('/repos/octo/hello/actions/runners/40')
      .reply(404, { message: 'Not Found' })
      .post('/repos/octo/hello/actions/runners/generate-jitconfig')
      .reply(409, { message: 'Already exists' });

    const error = await rejection(registry.generateJitConfig(repoRequest));

    expect(error).toMatchObject({ code: 'name-taken', retryable: false });
    expect(retryHintOf(error)).toEqual({ retryable: false });
    expect(error.message).toContain('already in use in repo octo/hello');
  });
});

describe('deleteRunner', () => {
  it('deletes an org runner', async () => {
    const { registry } = setup();
    nock(API).delete('/orgs/acme/actions/runners/42').reply(204);
    await expect(
      registry.deleteRunner({ installationId: 7, scope: orgRequest.scope, runnerId: 42 }),
    ).resolves.toBeUndefined();
  });

  it('treats 404 as already gone', async () => {
    const { registry, lines } = setup();
    nock(API).delete('/repos/octo/hello/actions/runners/42').reply(404, { message: 'Not Found' });
    await expect(
      registry.deleteRunner({ installationId: 8, scope: repoRequest.scope, runnerId: 42 }),
    ).resolves.toBeUndefined();
    expect(lines).toContainEqual({
      level: 'debug',
      fields: { operation: 'delete-runner', scope: 'repo:octo/hello', runnerId: 42, status: 404 },
      message: 'runner registration already gone',
    });
  });

  it('reports a busy runner (422) so the controller keeps it', async () => {
    const { registry } = setup();
    nock(API)
      .delete('/orgs/acme/actions/runners/42')
      .reply(422, { message: 'Bad request - Runner "x" is still running a job"' });

    const error = await rejection(
      registry.deleteRunner({ installationId: 7, scope: orgRequest.scope, runnerId: 42 }),
    );

    expect(error).toMatchObject({
      runnerBusy: true,
      retryable: false,
      code: 'runner-busy',
      status: 422,
    });
  });

  it('retries a delete after a secondary rate limit', async () => {
    const { registry, clock } = setup();
    nock(API)
      .delete('/orgs/acme/actions/runners/42')
      .reply(403, SECONDARY, { 'retry-after': '3' })
      .delete('/orgs/acme/actions/runners/42')
      .reply(204);
    await registry.deleteRunner({ installationId: 7, scope: orgRequest.scope, runnerId: 42 });
    expect(clock.sleeps).toEqual([3_000]);
  });

  it('turns an installation-token failure into an explained error', async () => {
    const clock = new FakeClock('auto');
    const registry = createGitHubRunnerRegistry({
      getOctokit: async () => {
        const error = Object.assign(new Error('Not Found'), {
          name: 'HttpError',
          status: 404,
          response: { status: 404, headers: {}, data: { message: 'Not Found' } },
        });
        throw error;
      },
      limiter: createJitRateLimiter({ ratePerSecond: 10, clock }),
      clock,
      log: { debug: () => {}, warn: () => {} },
    });
    const error = await rejection(
      registry.deleteRunner({ installationId: 99, scope: orgRequest.scope, runnerId: 1 }),
    );
    expect(error).toMatchObject({ operation: 'installation-token', retryable: false });
    expect(error.message).toContain('installation 99 not found');
  });
});

describe('findRunnerByName and listRunners', () => {
  it('finds a runner by exact name, even when the server ignores the name filter', async () => {
    const { registry } = setup();
    nock(API)
      .get('/orgs/acme/actions/runners')
      .query({ name: NAME, per_page: '100', page: '1' })
      .reply(200, {
        total_count: 2,
        runners: [runner(1, { name: `${NAME}-other` }), runner(2)],
      });
    await expect(
      registry.findRunnerByName({ installationId: 7, scope: orgRequest.scope, name: NAME }),
    ).resolves.toEqual({
      id: 2,
      name: NAME,
      status: 'offline',
      busy: false,
      labels: LABELS,
      runnerGroupId: 3,
      ephemeral: true,
    });
  });

  it('answers undefined when no runner has the name', async () => {
    const { registry } = setup();
    nock(API)
      .get('/repos/octo/hello/actions/runners')
      .query(true)
      .reply(200, { total_count: 0, runners: [] });
    await expect(
      registry.findRunnerByName({ installationId: 8, scope: repoRequest.scope, name: NAME }),
    ).resolves.toBeUndefined();
  });

  it('lists every page and keeps the names with the prefix', async () => {
    const { registry } = setup();
    const all = Array.from({ length: 230 }, (_, i) =>
      runner(i + 1, { name: i % 2 === 0 ? `modal-modal-${i}` : `other-${i}` }),
    );
    const pages: string[] = [];
    for (const page of [1, 2, 3]) {
      nock(API)
        .get('/orgs/acme/actions/runners')
        .query({ per_page: '100', page: String(page) })
        .reply(200, () => {
          pages.push(String(page));
          return { total_count: 230, runners: all.slice((page - 1) * 100, page * 100) };
        });
    }

    const found = await registry.listRunners({
      installationId: 7,
      scope: orgRequest.scope,
      namePrefix: 'modal-',
    });

    expect(pages).toEqual(['1', '2', '3']);
    expect(found).toHaveLength(115);
    expect(found.every((r) => r.name.startsWith('modal-'))).toBe(true);
    expect(found.map((r) => r.id).slice(0, 3)).toEqual([1, 3, 5]);
  });

  it('stops when a page is full but total_count is reached', async () => {
    const { registry } = setup();
    nock(API)
      .get('/orgs/acme/actions/runners')
      .query({ per_page: '100', page: '1' })
      .reply(200, {
        total_count: 100,
        runners: Array.from({ length: 100 }, (_, i) => runner(i + 1)),
      });
    await expect(
      registry.listRunners({ installationId: 7, scope: orgRequest.scope }),
    ).resolves.toHaveLength(100);
  });
});

describe('secrets', () => {
  it('never puts the token or the JIT config in an error or a log line', async () => {
    const { registry, lines } = setup({ maxSecondaryLimitRetries: 1 });
    const errors: unknown[] = [];
    const path = '/orgs/acme/actions/runners/generate-jitconfig';
    nock(API)
      .post(path)
      .reply(201, jitResponse(1))
      .post(path)
      .reply(403, SECONDARY, { 'retry-after': '1' })
      .post(path)
      .reply(201, jitResponse(2))
      .post(path)
      .reply(502, { message: 'Server Error' })
      .post(path)
      .replyWithError({ code: 'ECONNRESET', message: 'socket hang up' })
      .post(path)
      .reply(403, { message: 'Resource not accessible by integration' })
      .post(path)
      .reply(409, { message: 'Already exists' })
      .get('/orgs/acme/actions/runners')
      .query(true)
      .reply(200, { total_count: 1, runners: [runner(40)] })
      .delete('/orgs/acme/actions/runners/40')
      .reply(204)
      .post(path)
      .reply(201, jitResponse(41))
      .delete('/orgs/acme/actions/runners/41')
      .reply(422, { message: 'Runner is busy' })
      .post(path)
      .times(2)
      .reply(403, SECONDARY, { 'retry-after': '1' });

    const minted: string[] = [];
    for (let i = 0; i < 6; i++) {
      try {
        minted.push((await registry.generateJitConfig(orgRequest)).encodedJitConfig);
      } catch (error) {
        errors.push(error);
      }
    }
    try {
      await registry.deleteRunner({ installationId: 7, scope: orgRequest.scope, runnerId: 41 });
    } catch (error) {
      errors.push(error);
    }
    try {
      await registry.generateJitConfig(orgRequest);
    } catch (error) {
      errors.push(error);
    }

    // The JIT config did reach the caller, and only there.
    expect(minted).toEqual([JIT, JIT, JIT]);
    expect(errors).toHaveLength(5);
    expect(lines.length).toBeGreaterThanOrEqual(6);
    for (const error of errors) {
      const text = everything(error);
      expect(text).not.toContain(TOKEN);
      expect(text).not.toContain(JIT);
    }
    for (const line of lines) {
      const text = `${line.message} ${JSON.stringify(line.fields)}`;
      expect(text).not.toContain(TOKEN);
      expect(text).not.toContain(JIT);
    }
  });
});

describe('against the fake GitHub (lost response)', () => {
  let github: FakeGitHub;
  beforeAll(async () => {
    nock.enableNetConnect('127.0.0.1');
    github = await new FakeGitHub().start();
  });
  afterAll(async () => {
    await github.stop();
    nock.disableNetConnect();
  });

  it('recovers when a mint succeeded but its answer was lost', async () => {
    github.issuedTokens.push('ghs_fake_installation_token');
    github.failNext('POST', /generate-jitconfig$/, 502, { afterEffect: true });
    const clock = new FakeClock('auto');
    const registry = createGitHubRunnerRegistry({
      getOctokit: async () =>
        new ProbotOctokit({
          auth: { token: 'ghs_fake_installation_token' },
          baseUrl: github.baseUrl,
          throttle: { enabled: false },
          retry: { enabled: false },
        }),
      limiter: createJitRateLimiter({ ratePerSecond: 10, clock }),
      clock,
      log: { debug: () => {}, warn: () => {} },
    });

    // The controller's first attempt: GitHub registered the runner, the proxy answered 502.
    const first = await rejection(registry.generateJitConfig(orgRequest));
    expect(first.retryable).toBe(true);
    const orphans = [...github.runners.values()];
    expect(orphans.map((r) => r.name)).toEqual([NAME]);

    // Its retry gets 409, deletes the orphan and registers the name again.
    const jit = await registry.generateJitConfig(orgRequest);

    const runners = [...github.runners.values()];
    expect(runners).toHaveLength(1);
    expect(runners[0]).toMatchObject({ id: jit.runnerId, name: NAME, labels: LABELS });
    expect(github.connectRunner(jit.encodedJitConfig)?.id).toBe(jit.runnerId);
    expect(github.mintedJitConfigs).toHaveLength(2);
    expect(github.requests.map((r) => `${r.method} ${r.path.replace(/\?.*$/, '')}`)).toEqual([
      'POST /orgs/acme/actions/runners/generate-jitconfig',
      'POST /orgs/acme/actions/runners/generate-jitconfig',
      'GET /orgs/acme/actions/runners',
      `DELETE /orgs/acme/actions/runners/${orphans[0]?.id}`,
      'POST /orgs/acme/actions/runners/generate-jitconfig',
    ]);
  });
});
