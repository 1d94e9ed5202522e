import { inspect } from 'node:util';
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import nock from 'nock';
import { ProbotOctokit } from 'probot';
import { retryHintOf } from '../../src/domain/error-fields.js';
import { createGitHubObserver } from '../../src/github/github-observer.js';
import type { ObserverLogger } from '../../src/github/observer-context.js';
import type { AppOctokitLike, InstallationOctokitLike } from '../../src/github/observer-octokit.js';
import { createJitRateLimiter } from '../../src/github/jit-rate-limiter.js';
import { deliveriesToRedeliver } from '../../src/reconciler/redeliver-failed.js';
import { FakeClock } from '../../sim/fake-clock.js';
import { rejection } from './rejection.js';

const API = 'https://api.github.com';
const TOKEN = 'ghs_test';
/** Any three dot-separated segments: Octokit sends it as a `bearer` JWT, nock accepts it. */
const JWT = 'eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOiIxMjMifQ.c2lnbmF0dXJl';
const SECONDARY = {
  message:
    'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.',
};

interface LogLine {
  level: 'debug' | 'warn';
  fields: Record<string, unknown>;
  message: string;
}

function octokit(token: string) {
  return new ProbotOctokit({
    auth: { token },
    throttle: { enabled: false },
    retry: { enabled: false },
  });
}

function setup(
  options: { getInstallationOctokit?: (id: number) => Promise<InstallationOctokitLike> } = {},
) {
  const clock = new FakeClock('auto');
  const limiter = createJitRateLimiter({ ratePerSecond: 10, clock });
  let acquires = 0;
  const lines: LogLine[] = [];
  const log: ObserverLogger = {
    debug: (fields, message) => lines.push({ level: 'debug', fields, message }),
    warn: (fields, message) => lines.push({ level: 'warn', fields, message }),
  };
  const installations: number[] = [];
  let appAuths = 0;
  const observer = createGitHubObserver({
    getAppOctokit: async () => {
      appAuths += 1;
      const app: AppOctokitLike = octokit(JWT);
      return app;
    },
    getInstallationOctokit:
      options.getInstallationOctokit ??
      (async (installationId) => {
        installations.push(installationId);
        const installation: InstallationOctokitLike = octokit(TOKEN);
        return installation;
      }),
    limiter: {
      ...limiter,
      acquire: () => {
        acquires += 1;
        return limiter.acquire();
      },
    },
    clock,
    log,
  });
  return {
    observer,
    clock,
    limiter,
    lines,
    installations,
    acquires: () => acquires,
    appAuths: () => appAuths,
  };
}

/** A job as `GET /repos/{owner}/{repo}/actions/jobs/{job_id}` returns it (abridged). */
function jobBody(overrides: Record<string, unknown> = {}) {
  return {
    id: 123,
    run_id: 456,
    run_url: 'https://api.github.com/repos/octo/hello/actions/runs/456',
    node_id: 'CR_kwDOABCD',
    head_sha: 'f83a356604ae3c5d03e1b46ef4d1ca77d64a90b0',
    url: 'https://api.github.com/repos/octo/hello/actions/jobs/123',
    html_url: 'https://github.com/octo/hello/actions/runs/456/job/123',
    status: 'in_progress',
    conclusion: null,
    started_at: '2024-05-01T10:00:00Z',
    completed_at: null,
    name: 'build',
    steps: [],
    check_run_url: 'https://api.github.com/repos/octo/hello/check-runs/123',
    labels: ['self-hosted', 'modal'],
    runner_id: 1001,
    runner_name: 'modal-modal-0123456789ab',
    runner_group_id: 3,
    runner_group_name: 'modal',
    workflow_name: 'CI',
    head_branch: 'main',
    ...overrides,
  };
}

const T0 = Date.parse('2024-05-01T12:00:00Z');

/** A delivery as `GET /app/hook/deliveries` returns it, `minutesAgo` before T0. */
function deliveryBody(
  id: number,
  minutesAgo: number,
  overrides: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    id,
    guid: `guid-${id}`,
    delivered_at: new Date(T0 - minutesAgo * 60_000).toISOString(),
    redelivery: false,
    duration: 0.27,
    status: 'OK',
    status_code: 200,
    event: 'workflow_job',
    action: 'queued',
    installation_id: 7,
    repository_id: 99,
    throttled_at: null,
    ...overrides,
  };
}

function nextLink(query: string): { link: string } {
  return {
    link: `<${API}/app/hook/deliveries?${query}>; rel="next", <${API}/app/hook/deliveries?per_page=100>; rel="first"`,
  };
}

beforeAll(() => nock.disableNetConnect());
afterEach(() => {
  const pending = nock.pendingMocks();
  nock.cleanAll();
  expect(pending).toEqual([]);
});
afterAll(() => nock.enableNetConnect());

describe('getJob', () => {
  it('reads the job with the installation token and maps its fields', async () => {
    const { observer, installations, acquires, appAuths } = setup();
    nock(API)
      .get('/repos/octo/hello/actions/jobs/123')
      .matchHeader('authorization', `token ${TOKEN}`)
      .reply(200, jobBody());

    const job = await observer.getJob({ installationId: 7, repo: 'octo/hello', jobId: 123 });

    expect(job).toStrictEqual({
      status: 'in_progress',
      conclusion: null,
      runnerName: 'modal-modal-0123456789ab',
      labels: ['self-hosted', 'modal'],
    });
    expect(installations).toEqual([7]);
    expect(appAuths()).toBe(0);
    expect(acquires()).toBe(1);
  });

  it('reports a completed job with its conclusion', async () => {
    const { observer } = setup();
    nock(API)
      .get('/repos/octo/hello/actions/jobs/124')
      .reply(200, jobBody({ id: 124, status: 'completed', conclusion: 'cancelled' }));

    await expect(
      observer.getJob({ installationId: 7, repo: 'octo/hello', jobId: 124 }),
    ).resolves.toMatchObject({ status: 'completed', conclusion: 'cancelled' });
  });

  it.each([null, ''])(
    'reports no runner for a queued job whose runner_name is %p',
    async (name) => {
      const { observer } = setup();
      nock(API)
        .get('/repos/octo/hello/actions/jobs/125')
        .reply(200, jobBody({ status: 'queued', runner_name: name, runner_id: null }));

      const job = await observer.getJob({ installationId: 7, repo: 'octo/hello', jobId: 125 });

      expect(job).toMatchObject({ status: 'queued', conclusion: null, runnerName: null });
    },
  );

  it('returns undefined when the job or its repository is gone (404)', async () => {
    const { observer, lines } = setup();
    nock(API)
      .get('/repos/octo/gone/actions/jobs/126')
      .reply(404, { message: 'Not Found', documentation_url: 'https://docs.github.com/rest' });

    await expect(
      observer.getJob({ installationId: 7, repo: 'octo/gone', jobId: 126 }),
    ).resolves.toBeUndefined();
    expect(lines).toContainEqual({
      level: 'debug',
      fields: { operation: 'get-job', installationId: 7, scope: 'repo:octo/gone', jobId: 126 },
      message: 'job not found on GitHub',
    });
  });

  it('turns a 5xx into a retryable GitHubError', async () => {
    const { observer } = setup();
    nock(API)
      .get('/repos/octo/hello/actions/jobs/127')
      .reply(503, '<html>unicorn</html>', { 'content-type': 'text/html' });

    const error = await rejection(
      observer.getJob({ installationId: 7, repo: 'octo/hello', jobId: 127 }),
    );

    expect(error).toMatchObject({
      operation: 'get-job',
      code: 'server-error',
      status: 503,
      retryable: true,
    });
    expect(retryHintOf(error)).toEqual({ retryable: true });
    expect(error.message).toContain('repo octo/hello');
    expect(error.message).not.toContain('<html>');
  });

  it('explains a 403 as the missing `actions: read` permission', async () => {
    const { observer } = setup();
    nock(API)
      .get('/repos/octo/hello/actions/jobs/128')
      .reply(403, { message: 'Resource not accessible by integration' });

    const error = await rejection(
      observer.getJob({ installationId: 7, repo: 'octo/hello', jobId: 128 }),
    );

    expect(error).toMatchObject({ code: 'forbidden', status: 403, retryable: false });
    expect(error.message).toContain('`actions: read`');
    expect(error.message).toContain('repo octo/hello (job 128)');
    expect(error.message).toContain('Resource not accessible by integration');
    expect(error.message).not.toContain('self_hosted_runners');
  });

  it('waits out a secondary rate limit in the shared limiter, then reads the job', async () => {
    const { observer, clock, limiter, lines, acquires } = setup();
    nock(API)
      .get('/repos/octo/hello/actions/jobs/129')
      .reply(403, SECONDARY, { 'retry-after': '3' })
      .get('/repos/octo/hello/actions/jobs/129')
      .reply(200, jobBody({ id: 129 }));

    const job = await observer.getJob({ installationId: 7, repo: 'octo/hello', jobId: 129 });

    expect(job?.status).toBe('in_progress');
    expect(clock.sleeps).toEqual([3_000]);
    expect(limiter.currentRate()).toBe(5);
    expect(acquires()).toBe(2);
    expect(lines).toContainEqual(
      expect.objectContaining({
        level: 'warn',
        fields: expect.objectContaining({
          operation: 'get-job',
          installationId: 7,
          status: 403,
          retrying: true,
        }),
      }),
    );
  });

  it('refuses a repo that is not "owner/name" without calling GitHub', async () => {
    const { observer, installations, acquires } = setup();

    const error = await rejection(observer.getJob({ installationId: 7, repo: 'hello', jobId: 1 }));

    expect(error).toMatchObject({ operation: 'get-job', retryable: false });
    expect(error.message).toContain('"owner/name"');
    expect(installations).toEqual([]);
    expect(acquires()).toBe(0);
  });

  it('throws (not undefined) when the installation token is refused: the job may still exist', async () => {
    const { observer } = setup({
      getInstallationOctokit: async (installationId) => {
        await octokit(JWT).request('POST /app/installations/{installation_id}/access_tokens', {
          installation_id: installationId,
        });
        throw new Error('unreachable: the token request fails');
      },
    });
    nock(API)
      .post('/app/installations/7/access_tokens')
      .reply(404, { message: 'Integration not found' });

    const error = await rejection(
      observer.getJob({ installationId: 7, repo: 'octo/hello', jobId: 130 }),
    );

    expect(error).toMatchObject({
      operation: 'installation-token',
      code: 'not-found',
      retryable: false,
    });
    expect(error.message).toContain('installation 7 not found');
  });
});

describe('listInstallations', () => {
  it('reads every page with the App JWT and maps accounts', async () => {
    const { observer, installations, acquires } = setup();
    const pages: Record<string, string>[] = [];
    nock(API)
      .get('/app/installations')
      .matchHeader('authorization', `bearer ${JWT}`)
      .query((q) => pages.push(q as Record<string, string>) > 0 && q.page === '1')
      .reply(
        200,
        [
          { id: 7, account: { login: 'acme', type: 'Organization' }, suspended_at: null },
          { id: 8, account: { login: 'octocat', type: 'User' }, suspended_at: null },
        ],
        {
          link: `<${API}/app/installations?per_page=100&page=2>; rel="next", <${API}/app/installations?per_page=100&page=2>; rel="last"`,
        },
      )
      .get('/app/installations')
      .matchHeader('authorization', `bearer ${JWT}`)
      .query((q) => pages.push(q as Record<string, string>) > 0 && q.page === '2')
      .reply(
        200,
        [
          {
            id: 9,
            account: { login: 'paused', type: 'Organization' },
            suspended_at: '2024-04-01T00:00:00Z',
          },
          { id: 10, account: { slug: 'big-enterprise', name: 'Big' }, suspended_at: null },
        ],
        { link: `<${API}/app/installations?per_page=100&page=1>; rel="prev"` },
      );

    const result = await observer.listInstallations();

    expect(result).toStrictEqual([
      { id: 7, account: 'acme', kind: 'org', suspended: false },
      { id: 8, account: 'octocat', kind: 'user', suspended: false },
      { id: 9, account: 'paused', kind: 'org', suspended: true },
    ]);
    expect(pages).toEqual([
      { per_page: '100', page: '1' },
      { per_page: '100', page: '2' },
    ]);
    expect(installations).toEqual([]);
    expect(acquires()).toBe(2);
  });

  it('explains a 401 (bad App credentials), not retryable, without leaking the JWT', async () => {
    const { observer, lines } = setup();
    nock(API)
      .get('/app/installations')
      .query(true)
      .reply(401, { message: 'A JSON web token could not be decoded' });

    const error = await rejection(observer.listInstallations());

    expect(error).toMatchObject({
      operation: 'list-installations',
      code: 'unauthorized',
      retryable: false,
    });
    expect(error.message).toContain('APP_ID and PRIVATE_KEY');
    expect(
      `${inspect(error, { depth: Infinity, showHidden: true })} ${JSON.stringify(lines)}`,
    ).not.toContain(JWT);
  });
});

describe('redeliver', () => {
  it('posts an attempt for the delivery with the App JWT', async () => {
    const { observer, acquires, lines } = setup();
    const bodies: unknown[] = [];
    nock(API)
      .post('/app/hook/deliveries/42/attempts', (body) => bodies.push(body) > 0)
      .matchHeader('authorization', `bearer ${JWT}`)
      .reply(202, {});

    await expect(observer.redeliver(42)).resolves.toBeUndefined();

    expect(bodies).toHaveLength(1);
    expect(acquires()).toBe(1);
    expect(lines).toContainEqual({
      level: 'debug',
      fields: { operation: 'redeliver', deliveryId: 42, status: 202 },
      message: 'webhook redelivery requested',
    });
  });

  it('reports a delivery GitHub no longer has (404), not retryable', async () => {
    const { observer } = setup();
    nock(API).post('/app/hook/deliveries/43/attempts').reply(404, { message: 'Not Found' });

    const error = await rejection(observer.redeliver(43));

    expect(error).toMatchObject({ operation: 'redeliver', code: 'not-found', retryable: false });
  });

  it('turns a 502 into a retryable GitHubError', async () => {
    const { observer } = setup();
    nock(API).post('/app/hook/deliveries/44/attempts').reply(502, 'Bad gateway');

    const error = await rejection(observer.redeliver(44));

    expect(error).toMatchObject({ operation: 'redeliver', code: 'server-error', retryable: true });
  });
});

describe('listDeliveryPage', () => {
  it('reads one page, paced, and hands back the cursor of the next', async () => {
    const { observer, acquires } = setup();
    nock(API)
      .get('/app/hook/deliveries')
      .matchHeader('authorization', `bearer ${JWT}`)
      .query({ per_page: '100' })
      .reply(200, [deliveryBody(6, 1), deliveryBody(5, 2)], nextLink('per_page=100&cursor=v1_5'))
      .get('/app/hook/deliveries')
      .query({ per_page: '100', cursor: 'v1_5' })
      .reply(200, [deliveryBody(4, 3, { status_code: 502 })]);

    const first = await observer.listDeliveryPage({});
    expect(first.deliveries.map((d) => d.id)).toEqual([6, 5]);
    expect(first.nextCursor).toBe('v1_5');
    const second = await observer.listDeliveryPage({ cursor: 'v1_5' });
    expect(second.deliveries).toEqual([
      expect.objectContaining({ id: 4, statusCode: 502, deliveredAt: T0 - 3 * 60_000 }),
    ]);
    expect(second.nextCursor).toBeUndefined();
    expect(acquires()).toBe(2);
  });

  it('maps every field of a delivery, nulls and redeliveries included', async () => {
    const { observer } = setup();
    nock(API)
      .get('/app/hook/deliveries')
      .query({ per_page: '100' })
      .reply(200, [
        deliveryBody(4, 3, { status: 'Invalid HTTP Response: 503', status_code: 503 }),
        deliveryBody(3, 10, { action: null, installation_id: null, redelivery: true }),
        deliveryBody(2, 11, { delivered_at: 'not a date' }),
      ]);

    const page = await observer.listDeliveryPage({});

    expect(page.deliveries[0]).toStrictEqual({
      id: 4,
      guid: 'guid-4',
      deliveredAt: T0 - 3 * 60_000,
      redelivery: false,
      status: 'Invalid HTTP Response: 503',
      statusCode: 503,
      event: 'workflow_job',
      action: 'queued',
      installationId: 7,
    });
    expect(page.deliveries[1]).toMatchObject({
      action: null,
      installationId: null,
      redelivery: true,
    });
    // A delivery without a readable time cannot be placed in the sweep's window: left out.
    expect(page.deliveries.map((d) => d.id)).toEqual([4, 3]);
    expect(page.nextCursor).toBeUndefined();
  });

  it('feeds deliveriesToRedeliver', async () => {
    const { observer } = setup();
    nock(API)
      .get('/app/hook/deliveries')
      .query({ per_page: '100' })
      .reply(200, [
        deliveryBody(4, 1, { guid: 'g1', redelivery: true, status_code: 200 }),
        deliveryBody(3, 2, { guid: 'g2', status: 'timed out', status_code: 0 }),
        deliveryBody(2, 3, { guid: 'g1', status_code: 502 }),
        deliveryBody(1, 4, { guid: 'g3', event: 'installation', status_code: 500 }),
      ]);

    const { deliveries } = await observer.listDeliveryPage({});
    const picked = deliveriesToRedeliver(deliveries, {
      event: 'workflow_job',
      alreadyRedelivered: new Set(),
    });

    expect(picked.map((p) => [p.id, p.guid])).toEqual([[3, 'g2']]);
  });

  it('turns a 5xx into a retryable GitHubError', async () => {
    const { observer } = setup();
    nock(API).get('/app/hook/deliveries').query(true).reply(500, { message: 'Server Error' });

    const error = await rejection(observer.listDeliveryPage({}));

    expect(error).toMatchObject({
      operation: 'list-deliveries',
      code: 'server-error',
      status: 500,
      retryable: true,
    });
  });

  it('refuses a 2xx that is not a list', async () => {
    const { observer } = setup();
    nock(API).get('/app/hook/deliveries').query(true).reply(200, { message: 'surprise' });

    const error = await rejection(observer.listDeliveryPage({}));

    expect(error).toMatchObject({ code: 'unexpected-response', retryable: false });
  });

  it('an empty page ends the listing even if GitHub sends a next link', async () => {
    const { observer } = setup();
    nock(API)
      .get('/app/hook/deliveries')
      .query({ per_page: '100' })
      .reply(200, [], nextLink('per_page=100&cursor=v1_0'));
    expect(await observer.listDeliveryPage({})).toEqual({ deliveries: [], nextCursor: undefined });
  });
});
