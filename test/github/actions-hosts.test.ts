import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { AppOctokit } from '../../src/github/app-octokit.js';
import {
  ACTIONS_HOSTS_RETRY_MS,
  ACTIONS_HOSTS_TTL_MS,
  actionsDomainsOf,
  createActionsHosts,
  FALLBACK_ACTIONS_DOMAINS,
} from '../../src/github/actions-hosts.js';
import { FakeGitHub } from '../../sim/fake-github.js';

describe('actionsDomainsOf', () => {
  it('reads domains.actions, keeping what Modal can take', () => {
    expect(
      actionsDomainsOf({
        domains: { actions: ['github.com', '*.actions.githubusercontent.com', 'not a host', 7] },
      }),
    ).toEqual(['github.com', '*.actions.githubusercontent.com']);
  });

  it.each([
    undefined,
    null,
    {},
    { domains: {} },
    { domains: { actions: [] } },
    { domains: { actions: 'x' } },
  ])('is undefined for %j', (meta) => expect(actionsDomainsOf(meta)).toBeUndefined());
});

describe('createActionsHosts against the fake GitHub', () => {
  let github: FakeGitHub;
  let now = 0;
  const errors: unknown[] = [];
  let hosts: () => Promise<readonly string[]>;

  beforeEach(async () => {
    github = await new FakeGitHub().start();
    now = 1_000_000;
    errors.length = 0;
    const octokit = new AppOctokit({ baseUrl: github.baseUrl });
    hosts = createActionsHosts({
      fetchMeta: async () => (await octokit.rest.meta.get()).data,
      now: () => now,
      onError: (e) => errors.push(e),
    });
  });

  afterEach(async () => {
    await github.stop();
  });

  const metaCalls = () => github.requestsTo('GET', /^\/meta$/).length;

  it('fetches GET /meta once and keeps the answer a day', async () => {
    const [a, b] = await Promise.all([hosts(), hosts()]);
    expect(a).toEqual(github.meta.domains.actions);
    expect(b).toEqual(a);
    expect(metaCalls()).toBe(1);
    github.meta = { domains: { actions: ['github.com'] } };
    now += ACTIONS_HOSTS_TTL_MS - 1;
    expect(await hosts()).not.toEqual(['github.com']);
    now += 1;
    expect(await hosts()).toEqual(['github.com']);
    expect(metaCalls()).toBe(2);
  });

  it('falls back to the documented list when GitHub fails, and tries again only after a while', async () => {
    github.failNext('GET', /^\/meta$/, 500);
    expect(await hosts()).toEqual(FALLBACK_ACTIONS_DOMAINS);
    expect(errors).toHaveLength(1);
    expect(await hosts()).toEqual(FALLBACK_ACTIONS_DOMAINS);
    expect(metaCalls()).toBe(1);
  });

  it('keeps the last good answer when a refresh fails', async () => {
    const first = await hosts();
    now += ACTIONS_HOSTS_TTL_MS;
    github.failNext('GET', /^\/meta$/, 503);
    expect(await hosts()).toEqual(first);
    now += ACTIONS_HOSTS_RETRY_MS;
    github.meta = { domains: { actions: ['ghcr.io'] } };
    expect(await hosts()).toEqual(['ghcr.io']);
    expect(metaCalls()).toBe(3);
  });
});
