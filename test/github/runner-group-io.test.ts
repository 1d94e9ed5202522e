import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { ProbotOctokit } from 'probot';
import { listInstallationRepositories } from '../../src/github/list-installation-repositories.js';
import { planRunnerGroupSync } from '../../src/github/plan-runner-group-sync.js';
import { readRunnerGroup } from '../../src/github/read-runner-group.js';
import type { RestClient } from '../../src/github/rest-response.js';
import { applyRunnerGroupWrites } from '../../src/github/write-runner-group.js';
import { FakeGitHub } from '../../sim/fake-github.js';
import { fakeRunnerGroup } from './runner-group-fixtures.js';
import { rejection } from './rejection.js';

const TOKEN = 'ghs_runnerGroupTestToken0123456789';

let github: FakeGitHub;
let client: RestClient;

const group = fakeRunnerGroup;

beforeEach(async () => {
  github = await new FakeGitHub().start();
  github.issuedTokens.push(TOKEN);
  // A real Octokit over HTTP, authenticated as an installation, as the server's is.
  client = new ProbotOctokit({
    auth: { token: TOKEN },
    baseUrl: github.baseUrl,
    throttle: { enabled: false },
    retry: { enabled: false },
  }) as unknown as RestClient;
});

afterEach(async () => {
  await github.stop();
});

describe('readRunnerGroup', () => {
  it('reads an `all` group without listing repositories', async () => {
    github.runnerGroups = [group({ allows_public_repositories: true })];
    const read = await readRunnerGroup(client, { org: 'acme', groupId: 5 });
    expect(read).toStrictEqual({
      org: 'acme',
      id: 5,
      name: 'modal',
      visibility: 'all',
      isDefault: false,
      allowsPublicRepositories: true,
      restrictedToWorkflows: false,
      selectedWorkflows: [],
      repositories: undefined,
    });
    expect(github.requestsTo('GET', /runner-groups\/5\/repositories/)).toHaveLength(0);
  });

  it('reads every page of a `selected` group, with ids and the private flag', async () => {
    github.repositories = Array.from({ length: 150 }, (_, i) => ({
      id: 1000 + i,
      full_name: `acme/repo-${i}`,
      private: i % 2 === 0,
    }));
    github.runnerGroups = [
      group({ visibility: 'selected', repositories: github.repositories.map((r) => r.full_name) }),
    ];
    const read = await readRunnerGroup(client, { org: 'acme', groupId: 5 });
    expect(read.visibility).toBe('selected');
    expect(read.repositories).toHaveLength(150);
    expect(read.repositories?.[149]).toStrictEqual({
      id: 1149,
      fullName: 'acme/repo-149',
      private: false,
    });
    const pages = github.requestsTo('GET', /runner-groups\/5\/repositories$/);
    expect(pages).toHaveLength(2);
  });

  it('a group that does not exist: not-found, with how to list the groups', async () => {
    const error = await rejection(readRunnerGroup(client, { org: 'acme', groupId: 99 }));
    expect(error).toMatchObject({ code: 'not-found', status: 404, retryable: false });
    expect(error.message).toContain(
      'GitHub get-runner-group for org acme (RUNNER_GROUP_ID=99) failed with 404: RUNNER_GROUP_ID is not a runner group of acme',
    );
    expect(error.message).toContain('gh api orgs/acme/actions/runner-groups');
  });

  it('403: names the permission the installation needs', async () => {
    github.failNext('GET', /runner-groups\/1$/, 403, {
      body: { message: 'Resource not accessible by integration' },
    });
    const error = await rejection(readRunnerGroup(client, { org: 'acme', groupId: 1 }));
    expect(error).toMatchObject({ code: 'forbidden', status: 403 });
    expect(error.message).toContain('Self-hosted runners');
    expect(error.message).toContain('GitHub says: "Resource not accessible by integration"');
  });

  it('a failed repository listing is thrown, not read as an empty group', async () => {
    github.runnerGroups = [group({ visibility: 'selected', repositories: ['acme/web'] })];
    github.failNext('GET', /runner-groups\/5\/repositories$/, 502);
    const error = await rejection(readRunnerGroup(client, { org: 'acme', groupId: 5 }));
    expect(error).toMatchObject({
      operation: 'list-runner-group-repositories',
      code: 'server-error',
      retryable: true,
    });
  });
});

describe('listInstallationRepositories', () => {
  it('lists every page with the installation token', async () => {
    github.repositories = Array.from({ length: 230 }, (_, i) => ({
      id: i + 1,
      full_name: `acme/r${i}`,
      private: true,
    }));
    const repos = await listInstallationRepositories(client);
    expect(repos).toHaveLength(230);
    expect(repos[0]).toStrictEqual({ id: 1, fullName: 'acme/r0', private: true });
    expect(github.requestsTo('GET', /^\/installation\/repositories$/)).toHaveLength(3);
    expect(github.requestsTo('GET', /^\/installation\/repositories$/)[0]?.authorization).toBe(
      `token ${TOKEN}`,
    );
  });
});

describe('applyRunnerGroupWrites (RUNNER_GROUP_SYNC)', () => {
  const policy = { allowedRepos: [{ owner: 'acme', repo: 'web' }], allowPublicRepos: false };

  it('PATCHes to `selected`, then PUTs the repositories; afterwards nothing is left to do', async () => {
    github.runnerGroups = [group({ allows_public_repositories: true })];
    const before = await readRunnerGroup(client, { org: 'acme', groupId: 5 });
    const repos = await listInstallationRepositories(client);
    const plan = planRunnerGroupSync(before, repos, policy);
    await applyRunnerGroupWrites(client, before, plan.writes);

    const [patch] = github.requestsTo('PATCH', /runner-groups\/5$/);
    expect(patch?.body).toStrictEqual({
      visibility: 'selected',
      allows_public_repositories: false,
    });
    const [put] = github.requestsTo('PUT', /runner-groups\/5\/repositories$/);
    expect(put?.body).toStrictEqual({ selected_repository_ids: [501] });
    expect(github.requests.map((r) => r.method)).toEqual(['GET', 'GET', 'PATCH', 'PUT']);

    const after = await readRunnerGroup(client, { org: 'acme', groupId: 5 });
    expect(after).toMatchObject({ visibility: 'selected', allowsPublicRepositories: false });
    expect(after.repositories?.map((r) => r.fullName)).toEqual(['acme/web']);
    expect(planRunnerGroupSync(after, repos, policy).writes).toEqual([]);
  });

  it('a Default group the plan will not restrict: the error says to make a group of its own', async () => {
    github.runnerGroups = [group({ id: 1, name: 'Default', default: true })];
    github.refuseDefaultGroupRestriction = {
      status: 422,
      message: 'Cannot change the visibility of the default runner group',
    };
    const before = await readRunnerGroup(client, { org: 'acme', groupId: 1 });
    const plan = planRunnerGroupSync(before, await listInstallationRepositories(client), policy);
    const error = await rejection(applyRunnerGroupWrites(client, before, plan.writes));
    expect(error).toMatchObject({ operation: 'update-runner-group', status: 422 });
    expect(error.message).toContain(
      'runner group "Default" (RUNNER_GROUP_ID=1) of acme failed with 422: GitHub refused to restrict',
    );
    expect(error.message).toContain('Create a runner group of its own');
    expect(error.message).toContain(
      'https://github.com/organizations/acme/settings/actions/runner-groups',
    );
    expect(error.message).toContain('RUNNER_GROUP_ID');
    expect(error.message).toContain('RUNNER_GROUP_SYNC=false');
    expect(error.message).toContain('"Cannot change the visibility of the default runner group"');
    // Nothing was half-done: the PUT was never sent.
    expect(github.requestsTo('PUT', /repositories$/)).toHaveLength(0);
    expect(github.runnerGroups[0]?.visibility).toBe('all');
  });

  it('a 403 on a Default group also names the permission', async () => {
    github.runnerGroups = [group({ id: 1, name: 'Default', default: true })];
    github.refuseDefaultGroupRestriction = { status: 403, message: 'Forbidden' };
    const before = await readRunnerGroup(client, { org: 'acme', groupId: 1 });
    const error = await rejection(
      applyRunnerGroupWrites(client, before, [
        { kind: 'update', visibility: 'selected', allowsPublicRepositories: false },
      ]),
    );
    expect(error).toMatchObject({ code: 'forbidden', status: 403, retryable: false });
    expect(error.message).toContain('Default group');
    expect(error.message).toContain('Self-hosted runners: Read and write');
  });

  it('a 403 on another group names the permission and the settings page', async () => {
    github.runnerGroups = [group({ visibility: 'selected' })];
    github.failNext('PUT', /repositories$/, 403, {
      body: { message: 'Resource not accessible by integration' },
    });
    const error = await rejection(
      applyRunnerGroupWrites(
        client,
        { org: 'acme', id: 5, name: 'modal', isDefault: false },
        [{ kind: 'set-repositories', repositoryIds: [501] }],
        { webOrigin: 'https://ghe.example.com' },
      ),
    );
    expect(error).toMatchObject({ operation: 'set-runner-group-repositories', code: 'forbidden' });
    expect(error.message).toContain('Self-hosted runners: Read and write');
    expect(error.message).toContain(
      'https://ghe.example.com/organizations/acme/settings/actions/runner-groups/5',
    );
  });
});
