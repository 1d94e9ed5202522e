import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { Status } from 'nice-grpc-common';
import { doctorCommand } from '../../src/cli/doctor-command.js';
import { createProbotDoctorGitHub } from '../../src/doctor/probot-doctor-github.js';
import { fakeRunnerGroup } from '../github/runner-group-fixtures.js';
import { FakeGitHub } from '../../sim/fake-github.js';
import { FakeModal } from '../../sim/modal/fake-modal.js';
import { createFakeModalClient } from '../../sim/modal/modal-client.js';
import { testPrivateKey } from '../../sim/harness.js';

const WEBHOOK_SECRET = 'doctor-webhook-secret-7c1e0b';
const MODAL_TOKEN_SECRET = 'as-doctorModalSecret0123456789';
const APP_SETTINGS = 'https://github.com/organizations/acme/settings/apps/modal-github-runner';
const INSTALLATION_SETTINGS = 'https://github.com/organizations/acme/settings/installations/7';
const FULL_PERMISSIONS = {
  organization_self_hosted_runners: 'write',
  actions: 'read',
  metadata: 'read',
};

let github: FakeGitHub;
let modal: FakeModal;

beforeEach(async () => {
  github = await new FakeGitHub().start();
  github.app = {
    id: 12345,
    slug: 'modal-github-runner',
    name: 'Modal runners',
    html_url: 'https://github.com/apps/modal-github-runner',
    owner: { login: 'acme', type: 'Organization' },
    events: ['workflow_job'],
    permissions: { ...FULL_PERMISSIONS },
  };
  github.installations = [
    {
      id: 7,
      account: { login: 'acme', type: 'Organization' },
      target_type: 'Organization',
      permissions: { ...FULL_PERMISSIONS },
      repository_selection: 'all',
      suspended_at: null,
    },
  ];
  github.runnerGroups = [fakeRunnerGroup()];
  modal = new FakeModal();
});

afterEach(async () => {
  modal.close();
  await github.stop();
});

/** Runs `modal-github-runner doctor` against the fakes; `env` entries override (''=unset). */
async function doctor(env: Record<string, string> = {}, args: string[] = []) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await doctorCommand(args, {
    env: {
      APP_ID: '12345',
      PRIVATE_KEY: testPrivateKey(),
      WEBHOOK_SECRET,
      GHE_HOST: new URL(github.baseUrl).host,
      GHE_PROTOCOL: 'http',
      RUNNER_GROUP_ID: '5',
      MODAL_APP_NAME: 'doctor-runners',
      MODAL_TOKEN_ID: 'ak-doctorModalId0123456789',
      MODAL_TOKEN_SECRET,
      ...env,
    },
    github: createProbotDoctorGitHub,
    modalClient: () => createFakeModalClient(modal),
    out: (t) => out.push(t),
    err: (t) => err.push(t),
  });
  const text = out.join('');
  expectNoSecret(text + err.join(''));
  return { code, out: text, err: err.join('') };
}

/** No configured secret, private-key line or installation token appears anywhere. */
function expectNoSecret(text: string): void {
  expect(text).not.toContain(WEBHOOK_SECRET);
  expect(text).not.toContain(MODAL_TOKEN_SECRET);
  for (const line of testPrivateKey().split('\n')) {
    if (line.length >= 16 && !line.startsWith('-----')) expect(text).not.toContain(line);
  }
  for (const token of github.issuedTokens) expect(text).not.toContain(token);
  expect(text).not.toMatch(/ghs_[A-Za-z0-9]{8,}/);
}

/** The report line of one check, with its indented details and fix. */
function entry(out: string, status: string, name: string): string {
  const lines = out.split('\n');
  const start = lines.findIndex((l) => l.startsWith(`  ${status}  ${name}:`));
  if (start < 0) throw new Error(`no "${status}  ${name}" line in:\n${out}`);
  const block = [lines[start] ?? ''];
  for (const l of lines.slice(start + 1)) {
    if (!l.startsWith('          ')) break;
    block.push(l);
  }
  return block.join('\n');
}

describe('modal-github-runner doctor', () => {
  it('all green: every check passes, exit 0', async () => {
    const { code, out } = await doctor();
    expect(code).toBe(0);
    expect(out).not.toMatch(/^\s+(FAIL|WARN)\s/m);
    expect(entry(out, 'PASS', 'configuration')).toContain('APP_ID 12345, RUNNER_GROUP_ID 5');
    expect(entry(out, 'PASS', 'App authentication')).toContain('"Modal runners"');
    expect(entry(out, 'PASS', 'App authentication')).toContain(APP_SETTINGS);
    expect(entry(out, 'PASS', 'workflow_job event')).toBeTruthy();
    expect(entry(out, 'PASS', 'App permissions')).toContain(
      'organization_self_hosted_runners: write',
    );
    expect(entry(out, 'PASS', 'webhook URL')).toContain(
      'https://runners.example.com/api/github/webhooks (the public URL the webhook should reach)',
    );
    expect(entry(out, 'PASS', 'webhook secret')).toBeTruthy();
    expect(entry(out, 'PASS', 'webhook content type')).toContain('json');
    expect(entry(out, 'INFO', 'installations')).toContain('1 installation(s): acme');
    expect(entry(out, 'PASS', 'installation acme (organization, id 7)')).toBeTruthy();
    expect(entry(out, 'PASS', 'runner group acme')).toContain(
      '"modal" (RUNNER_GROUP_ID=5) admits all repositories',
    );
    expect(entry(out, 'PASS', 'RUNNER_VERSION (modal)')).toContain(
      'latest: the server follows the newest runner, now 2.334.0 (GitHub, org acme)',
    );
    expect(entry(out, 'PASS', 'credentials and App')).toContain('Modal App "doctor-runners"');
    expect(entry(out, 'PASS', 'GPU types')).toContain('no runner class asks for a GPU');
    expect(entry(out, 'PASS', 'image ghcr.io/actions/actions-runner:2.334.0')).toMatch(
      /for modal: built as im-\S+/,
    );
    expect(out).toContain('0 failed');
    // Installation tokens were minted and used, and still appear nowhere (checked in doctor()).
    expect(github.issuedTokens.length).toBeGreaterThan(0);
    expect(github.requestsTo('GET', /^\/orgs\/acme\/actions\/runners\/downloads$/)).toHaveLength(1);
    expect(modal.requests('ImageGetOrCreate')).toHaveLength(1);
  });

  it('GHE_PROTOCOL=http to a host that is not this machine: WARN with the fix', async () => {
    const { out } = await doctor({ GHE_HOST: 'ghe.invalid' }, ['--skip-images']);
    const warning = entry(out, 'WARN', 'GHE_PROTOCOL');
    expect(warning).toContain('to ghe.invalid unencrypted');
    expect(warning).toContain('fix: set GHE_PROTOCOL=https');
  });

  it('a bad configuration fails naming the variable, and skips the rest', async () => {
    const { code, out } = await doctor({ APP_ID: 'my-app', WEBHOOK_SECRET: '' });
    expect(code).toBe(1);
    const line = entry(out, 'FAIL', 'configuration');
    expect(line).toContain('APP_ID: must be the numeric App ID');
    expect(line).toContain('WEBHOOK_SECRET: is required');
    expect(line).toContain('fix: correct the variables named above');
    expect(entry(out, 'SKIP', 'GitHub App')).toContain('needs a valid configuration');
    expect(entry(out, 'SKIP', 'Modal')).toContain('needs a valid configuration');
    expect(github.requests).toHaveLength(0);
  });

  it('GET /app refused (401, a wrong key): FAIL with the key fix, later GitHub checks skipped', async () => {
    github.failNext('GET', /^\/app$/, 401, {
      body: { message: 'A JSON web token could not be decoded' },
    });
    const { code, out } = await doctor();
    expect(code).toBe(1);
    const line = entry(out, 'FAIL', 'App authentication');
    expect(line).toContain('GET /app failed: 401 "A JSON web token could not be decoded"');
    expect(line).toMatch(/fix: GitHub refused the App.s JWT: APP_ID must be the App ID/);
    expect(line).toContain('PRIVATE_KEY (or PRIVATE_KEY_PATH)');
    expect(entry(out, 'SKIP', 'installations')).toContain('could not authenticate');
    // Modal is checked all the same.
    expect(entry(out, 'PASS', 'credentials and App')).toBeTruthy();
  });

  it('the App does not subscribe to workflow_job: FAIL with the permissions page', async () => {
    github.app.events = ['push'];
    const { code, out } = await doctor();
    expect(code).toBe(1);
    const line = entry(out, 'FAIL', 'workflow_job event');
    expect(line).toContain('it subscribes to: push');
    expect(line).toContain(
      `fix: tick "Workflow job" under "Subscribe to events" at ${APP_SETTINGS}/permissions`,
    );
  });

  it('the App has no webhook secret: FAIL', async () => {
    github.hookConfig = { ...github.hookConfig, secret: null };
    const { code, out } = await doctor();
    expect(code).toBe(1);
    const line = entry(out, 'FAIL', 'webhook secret');
    expect(line).toContain('the server refuses every one');
    expect(line).toContain(
      `fix: set "Webhook secret" at ${APP_SETTINGS} to the value of WEBHOOK_SECRET`,
    );
  });

  it('form-encoded deliveries FAIL; an http webhook URL only WARNs', async () => {
    github.hookConfig = {
      ...github.hookConfig,
      content_type: 'form',
      url: 'http://runners.example.com/api/github/webhooks',
    };
    const { code, out } = await doctor();
    expect(code).toBe(1);
    expect(entry(out, 'FAIL', 'webhook content type')).toContain('"content_type":"json"');
    const url = entry(out, 'WARN', 'webhook URL');
    expect(url).toContain('http://runners.example.com/api/github/webhooks');
    expect(url).toContain('unencrypted');
    expect(url).toContain('fix: serve the app behind HTTPS');
  });

  it('no webhook URL at all: FAIL saying which URL to set', async () => {
    github.hookConfig = { ...github.hookConfig, url: '' };
    const { code, out } = await doctor();
    expect(code).toBe(1);
    expect(entry(out, 'FAIL', 'webhook URL')).toContain(
      `fix: set "Webhook URL" at ${APP_SETTINGS} to the public URL the webhook should reach: https://<your host>/api/github/webhooks`,
    );
  });

  it('a user-account installation without administration: FAIL with the fix', async () => {
    github.installations = [
      {
        id: 9,
        account: { login: 'octocat', type: 'User' },
        target_type: 'User',
        permissions: { actions: 'read' },
        suspended_at: null,
      },
    ];
    const { code, out } = await doctor();
    expect(code).toBe(1);
    const line = entry(out, 'FAIL', 'installation octocat (user, id 9)');
    expect(line).toContain('a user account cannot have organization runners');
    expect(line).toContain(
      'fix: install the App on an organization instead (https://github.com/apps/modal-github-runner/installations/new)',
    );
    expect(line).toContain('https://github.com/settings/installations/9');
    expect(line).toContain('Administration: Read and write');
    expect(entry(out, 'WARN', 'RUNNER_VERSION (modal)')).toContain(
      'latest, but the newest runner cannot be resolved',
    );
  });

  it('missing organization_self_hosted_runners on the installation: FAIL, accept it there', async () => {
    github.installations = [
      {
        id: 7,
        account: { login: 'acme', type: 'Organization' },
        target_type: 'Organization',
        permissions: { actions: 'read', metadata: 'read' },
        suspended_at: null,
      },
    ];
    const { code, out } = await doctor();
    expect(code).toBe(1);
    const line = entry(out, 'FAIL', 'installation acme (organization, id 7)');
    expect(line).toContain('missing organization_self_hosted_runners: write');
    expect(line).toContain(
      `must review and accept the updated permissions at ${INSTALLATION_SETTINGS}`,
    );
    // The runner group cannot be read without the permission: not even tried.
    expect(github.requestsTo('GET', /runner-groups/)).toHaveLength(0);
  });

  it('the App itself does not ask for the permission: FAIL with the App permission page', async () => {
    github.app.permissions = { actions: 'read', metadata: 'read' };
    github.installations = [
      {
        id: 7,
        account: { login: 'acme', type: 'Organization' },
        target_type: 'Organization',
        permissions: { actions: 'read', metadata: 'read' },
        suspended_at: null,
      },
    ];
    const { code, out } = await doctor();
    expect(code).toBe(1);
    expect(entry(out, 'FAIL', 'App permissions')).toContain(
      `fix: at ${APP_SETTINGS}/permissions set "Organization permissions → Self-hosted runners: Read and write"`,
    );
    expect(entry(out, 'FAIL', 'installation acme (organization, id 7)')).toContain(
      `fix: add "Organization permissions → Self-hosted runners: Read and write" at ${APP_SETTINGS}/permissions, save, then an owner of acme accepts the new permissions at ${INSTALLATION_SETTINGS}`,
    );
  });

  it('RUNNER_GROUP_ID that is not a group of the organization: FAIL', async () => {
    const { code, out } = await doctor({ RUNNER_GROUP_ID: '99' });
    expect(code).toBe(1);
    const line = entry(out, 'FAIL', 'runner group acme');
    expect(line).toContain('RUNNER_GROUP_ID=99 is not a runner group of acme');
    expect(line).toContain(
      "fix: list the groups with `gh api orgs/acme/actions/runner-groups --jq '.runner_groups[] | [.id,.name]'`",
    );
    expect(line).toContain('https://github.com/organizations/acme/settings/actions/runner-groups');
  });

  it('a `selected` runner group lists the repositories it admits', async () => {
    const group = github.runnerGroups[0];
    if (!group) throw new Error('no group');
    group.visibility = 'selected';
    group.repositories = ['acme/web', 'acme/api'];
    const { code, out } = await doctor();
    expect(code).toBe(0);
    const line = entry(out, 'PASS', 'runner group acme');
    expect(line).toContain('"modal" (RUNNER_GROUP_ID=5) admits 2 selected repositories');
    expect(line).toContain('admits: acme/web, acme/api');
  });

  it('group vs. ALLOWED_REPOS and ALLOW_PUBLIC_REPOS mismatches WARN (exit 0)', async () => {
    const group = github.runnerGroups[0];
    if (!group) throw new Error('no group');
    group.visibility = 'selected';
    group.repositories = ['acme/web'];
    const { code, out } = await doctor({
      ALLOWED_REPOS: 'acme/web,acme/infra',
      ALLOW_PUBLIC_REPOS: 'true',
    });
    expect(code).toBe(0);
    const line = entry(out, 'WARN', 'runner group acme');
    expect(line).toContain('ALLOWED_REPOS allows acme/infra, which the group does not admit');
    expect(line).toContain(
      'ALLOW_PUBLIC_REPOS=true, but the group does not allow public repositories',
    );
    expect(line).toContain(
      'tick "Allow public repositories" at https://github.com/organizations/acme/settings/actions/runner-groups/5, or set ALLOW_PUBLIC_REPOS=false',
    );
  });

  const daysAgo = (days: number) => new Date(Date.now() - days * 24 * 3600_000).toISOString();

  it('a pinned RUNNER_VERSION 20+ days behind a newer release: WARN, exit 0', async () => {
    github.latestRunnerVersion = '2.340.1';
    github.runnerReleases = [
      { version: '2.340.1', publishedAt: daysAgo(3) },
      { version: '2.335.0', publishedAt: daysAgo(22) },
      { version: '2.334.0', publishedAt: daysAgo(40) },
    ];
    const { code, out } = await doctor({ RUNNER_VERSION: '2.334.0' });
    expect(code).toBe(0);
    const line = entry(out, 'WARN', 'RUNNER_VERSION (modal)');
    expect(line).toContain('2.334.0 is older than the newest runner, 2.340.1');
    // The clock starts at the first newer release, not the newest.
    expect(line).toContain('22 day(s) behind: 2.335.0 came out on');
    expect(line).toContain('within 30 days of a newer release');
    expect(line).toContain(
      'fix: set RUNNER_VERSION=2.340.1 (or latest), then run `modal-github-runner image build`',
    );
    expect(github.requestsTo('GET', /^\/repos\/actions\/runner\/releases$/)).toHaveLength(1);
  });

  it('a pinned RUNNER_VERSION behind for less than 20 days passes, saying how long', async () => {
    github.latestRunnerVersion = '2.335.0';
    github.runnerReleases = [{ version: '2.335.0', publishedAt: daysAgo(19) }];
    const { out } = await doctor({ RUNNER_VERSION: '2.334.0' });
    expect(entry(out, 'PASS', 'RUNNER_VERSION (modal)')).toContain(
      '19 day(s) behind: 2.335.0 came out on',
    );
  });

  it('release dates unavailable (a GHE server has no actions/runner): WARN that says so', async () => {
    github.latestRunnerVersion = '2.335.0';
    github.runnerReleasesNotFound = true;
    const { code, out } = await doctor({ RUNNER_VERSION: '2.334.0' });
    expect(code).toBe(0);
    const line = entry(out, 'WARN', 'RUNNER_VERSION (modal)');
    expect(line).toContain('for how long is unknown (the release dates could not be read');
  });

  it('a class on an official runner image below the minimum: FAIL', async () => {
    const { code, out } = await doctor({
      RUNNER_CLASSES: JSON.stringify({
        modal: { cpu: 2, memoryMiB: 4096 },
        'modal-old': { cpu: 2, memoryMiB: 4096, image: 'ghcr.io/actions/actions-runner:2.320.0' },
        'modal-custom': { cpu: 2, memoryMiB: 4096, image: 'ghcr.io/acme/runner:1' },
      }),
    });
    expect(code).toBe(1);
    const line = entry(out, 'FAIL', 'class modal-old image');
    expect(line).toContain('2.320.0 is older than 2.329.0: GitHub refuses to register it');
    expect(line).toContain(
      'fix: set "image" of class modal-old in RUNNER_CLASSES to ghcr.io/actions/actions-runner:2.334.0',
    );
    expect(entry(out, 'INFO', 'class modal-custom image')).toContain('cannot be checked');
  });

  it('RUNNER_VERSION below the minimum is refused by the configuration check', async () => {
    const { code, out } = await doctor({ RUNNER_VERSION: '2.300.0' });
    expect(code).toBe(1);
    expect(entry(out, 'FAIL', 'configuration')).toContain(
      'RUNNER_VERSION: must be 2.329.0 or newer',
    );
  });

  it('Modal refuses the credentials: FAIL naming the token variables; images skipped', async () => {
    modal.failNext('AppGetOrCreate', Status.UNAUTHENTICATED, 1, {
      details: 'Token is invalid or expired',
    });
    const { code, out } = await doctor();
    expect(code).toBe(1);
    const line = entry(out, 'FAIL', 'credentials and App');
    expect(line).toContain(
      'could not look up or create the Modal App "doctor-runners" (UNAUTHENTICATED)',
    );
    expect(line).toContain('fix: set MODAL_TOKEN_ID and MODAL_TOKEN_SECRET to a valid token');
    expect(entry(out, 'SKIP', 'image ghcr.io/actions/actions-runner:2.334.0')).toContain(
      'Modal is not reachable',
    );
  });

  it('Modal denies the workspace (PERMISSION_DENIED): FAIL', async () => {
    modal.failNext('AppGetOrCreate', Status.PERMISSION_DENIED);
    const { code, out } = await doctor();
    expect(code).toBe(1);
    expect(entry(out, 'FAIL', 'credentials and App')).toContain('(PERMISSION_DENIED)');
  });

  it('an image that does not build: FAIL with the image fix; the others still build', async () => {
    modal.failImageBuild('ghcr.io/acme/cuda-runner:1', 'manifest unknown');
    const { code, out } = await doctor({
      RUNNER_CLASSES: JSON.stringify({
        modal: { cpu: 2, memoryMiB: 4096 },
        'modal-cuda': {
          cpu: 4,
          memoryMiB: 16384,
          gpu: 'A10G',
          image: 'ghcr.io/acme/cuda-runner:1',
        },
      }),
    });
    expect(code).toBe(1);
    const line = entry(out, 'FAIL', 'image ghcr.io/acme/cuda-runner:1');
    expect(line).toContain('for modal-cuda: the image did not build');
    expect(line).toContain('manifest unknown');
    expect(line).toContain(
      'fix: set "image" of modal-cuda in RUNNER_CLASSES to an image Modal can pull',
    );
    expect(entry(out, 'PASS', 'image ghcr.io/actions/actions-runner:2.334.0')).toBeTruthy();
    expect(entry(out, 'PASS', 'GPU types')).toContain('modal-cuda: A10G');
  });

  it('the default image failing points at RUNNER_VERSION', async () => {
    modal.failImageBuild('ghcr.io/actions/actions-runner:2.334.0', 'manifest unknown');
    const { code, out } = await doctor();
    expect(code).toBe(1);
    expect(entry(out, 'FAIL', 'image ghcr.io/actions/actions-runner:2.334.0')).toContain(
      'fix: RUNNER_VERSION=latest (whose fallback is 2.334.0) must be a published tag of ghcr.io/actions/actions-runner',
    );
  });

  it('an unknown GPU type is refused, naming RUNNER_CLASSES and the known types', async () => {
    const { code, out } = await doctor({
      RUNNER_CLASSES: JSON.stringify({ 'modal-gpu': { gpu: 'RTX4090' } }),
    });
    expect(code).toBe(1);
    const line = entry(out, 'FAIL', 'configuration');
    expect(line).toContain('RUNNER_CLASSES: modal-gpu.gpu: must be a Modal GPU type');
    expect(line).toContain('H100');
  });

  it('--skip-images skips the builds; --help prints usage; a bad option is a usage error', async () => {
    const skipped = await doctor({}, ['--skip-images']);
    expect(skipped.code).toBe(0);
    expect(entry(skipped.out, 'SKIP', 'image ghcr.io/actions/actions-runner:2.334.0')).toContain(
      '--skip-images',
    );
    expect(modal.requests('ImageGetOrCreate')).toHaveLength(0);
    const help = await doctor({}, ['--help']);
    expect(help.code).toBe(0);
    expect(help.out).toContain('Usage: modal-github-runner doctor');
    const bad = await doctor({}, ['--bogus']);
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('Usage: modal-github-runner doctor');
  });
});

describe('modal-github-runner doctor secrets', () => {
  it('secrets echoed back in an error message are redacted', async () => {
    github.failNext('GET', /^\/app\/hook\/config$/, 500, {
      body: { message: `boom ${WEBHOOK_SECRET} token ghs_abcdefghijklmnop1234` },
    });
    const { code, out } = await doctor();
    expect(code).toBe(1);
    const line = entry(out, 'FAIL', 'webhook');
    expect(line).toContain('[redacted]');
  });
});

describe('modal-github-runner doctor: the runner group enforces the repository policy', () => {
  it('a group that admits public repositories while ALLOW_PUBLIC_REPOS=false: FAIL naming it', async () => {
    const group = github.runnerGroups[0];
    if (!group) throw new Error('no group');
    group.allows_public_repositories = true;
    const { code, out } = await doctor();
    expect(code).toBe(1);
    const line = entry(out, 'FAIL', 'runner group acme');
    expect(line).toContain(
      'runner group "modal" (RUNNER_GROUP_ID=5) of acme admits public repositories while ALLOW_PUBLIC_REPOS=false',
    );
    expect(line).toContain(
      'fix: untick "Allow public repositories" at https://github.com/organizations/acme/settings/actions/runner-groups/5',
    );
    expect(line).toContain('RUNNER_GROUP_SYNC=true');
  });

  it('ALLOWED_REPOS with a group open to the whole organization: FAIL listing repositories outside it', async () => {
    const { code, out } = await doctor({ ALLOWED_REPOS: 'acme/web' });
    expect(code).toBe(1);
    const line = entry(out, 'FAIL', 'runner group acme');
    expect(line).toContain(
      'admits every repository of acme (visibility "all"), not only ALLOWED_REPOS (acme/api)',
    );
    expect(line).toContain('can take runners launched for allowed jobs');
    expect(line).toContain('set "Repository access" to "Selected repositories"');
    // The examples come from the installation's repositories, listed with its token.
    expect(github.requestsTo('GET', /^\/installation\/repositories$/)).toHaveLength(1);
  });

  it('a `selected` group with repositories outside ALLOWED_REPOS: FAIL listing them', async () => {
    const group = github.runnerGroups[0];
    if (!group) throw new Error('no group');
    group.visibility = 'selected';
    group.repositories = ['acme/web', 'acme/api'];
    const { code, out } = await doctor({ ALLOWED_REPOS: 'acme/web' });
    expect(code).toBe(1);
    const line = entry(out, 'FAIL', 'runner group acme');
    expect(line).toContain('admits 1 repository outside ALLOWED_REPOS (acme/api)');
    expect(line).toContain(
      'fix: remove them from the group at https://github.com/organizations/acme/settings/actions/runner-groups/5, or add them to ALLOWED_REPOS',
    );
    expect(github.requestsTo('GET', /^\/installation\/repositories$/)).toHaveLength(0);
  });

  it('ALLOWED_REPOS covering the organization (acme/*) passes a group open to it', async () => {
    const { code, out } = await doctor({ ALLOWED_REPOS: 'acme/*' });
    expect(code).toBe(0);
    expect(entry(out, 'PASS', 'runner group acme')).toContain('admits all repositories');
  });
});

describe('modal-github-runner doctor: the webhook path', () => {
  it('the manifest default (http://localhost:3000/): FAIL, end the URL with WEBHOOK_PATH', async () => {
    github.hookConfig = { ...github.hookConfig, url: 'http://localhost:3000/' };
    const { code, out } = await doctor();
    expect(code).toBe(1);
    const line = entry(out, 'FAIL', 'webhook path');
    expect(line).toContain(
      'the path is /, but the server listens on /api/github/webhooks (WEBHOOK_PATH)',
    );
    expect(line).toContain(`fix: end "Webhook URL" at ${APP_SETTINGS} with /api/github/webhooks`);
    expect(line).not.toContain('set WEBHOOK_PATH=/');
    expect(entry(out, 'WARN', 'webhook URL')).toContain('GitHub cannot deliver to it');
  });

  it('a custom WEBHOOK_PATH the URL does not end in: FAIL; a proxy prefix passes', async () => {
    const custom = await doctor({ WEBHOOK_PATH: '/hooks/github' });
    expect(custom.code).toBe(1);
    expect(entry(custom.out, 'FAIL', 'webhook path')).toContain(
      'https://runners.example.com/hooks/github',
    );
    github.hookConfig = {
      ...github.hookConfig,
      url: 'https://runners.example.com/ci/api/github/webhooks',
    };
    const prefixed = await doctor();
    expect(prefixed.code).toBe(0);
    expect(entry(prefixed.out, 'PASS', 'webhook path')).toContain(
      'ends in /api/github/webhooks, where the server listens (WEBHOOK_PATH)',
    );
  });

  it('a smee.io channel: passes through WEBHOOK_PROXY_URL, warns without it', async () => {
    github.hookConfig = { ...github.hookConfig, url: 'https://smee.io/abc123' };
    const proxied = await doctor({ WEBHOOK_PROXY_URL: 'https://smee.io/abc123' });
    expect(entry(proxied.out, 'PASS', 'webhook path')).toContain('WEBHOOK_PROXY_URL channel');
    const alone = await doctor();
    expect(entry(alone.out, 'WARN', 'webhook path')).toContain(
      'fix: set WEBHOOK_PROXY_URL to the channel URL',
    );
  });
});

describe('modal-github-runner doctor: first-hour wording', () => {
  it('without App credentials: points to the setup page, not only at missing variables', async () => {
    const { code, out } = await doctor({ APP_ID: '', PRIVATE_KEY: '', WEBHOOK_SECRET: '' });
    expect(code).toBe(1);
    const line = entry(out, 'FAIL', 'GitHub App credentials');
    expect(line).toContain('no GitHub App is configured yet');
    expect(line).toContain('fix: run `GH_ORG=<your organization> npm start`');
    expect(line).toContain('open http://localhost:3000 and follow the setup page');
    // The variables the setup page writes are not listed as problems of their own.
    expect(out).not.toMatch(/FAIL {2}configuration:/);
    expect(out).not.toContain('APP_ID: ');
    expect(entry(out, 'SKIP', 'GitHub App')).toContain('needs a valid configuration');
    expect(github.requests).toHaveLength(0);

    const named = await doctor({ APP_ID: '', PRIVATE_KEY: '', GH_ORG: 'acme', PORT: '3100' });
    expect(entry(named.out, 'FAIL', 'GitHub App credentials')).toContain(
      'run `GH_ORG=acme npm start` (GH_ORG registers the App on your organization, where it can be installed), open http://localhost:3100',
    );
  });

  it('APP_ID without a key names both PRIVATE_KEY and PRIVATE_KEY_PATH', async () => {
    const { code, out } = await doctor({ PRIVATE_KEY: '' });
    expect(code).toBe(1);
    const line = entry(out, 'FAIL', 'GitHub App credentials');
    expect(line).toContain('APP_ID is set, but neither PRIVATE_KEY nor PRIVATE_KEY_PATH');
    expect(line).toContain('set PRIVATE_KEY_PATH to the App');
  });

  it('other problems are still listed next to the setup pointer', async () => {
    const { out } = await doctor({ APP_ID: '', PRIVATE_KEY: '', MAX_RUNNERS: '-3' });
    expect(entry(out, 'FAIL', 'GitHub App credentials')).toBeTruthy();
    expect(entry(out, 'FAIL', 'configuration')).toContain(
      'MAX_RUNNERS: must be a positive whole number',
    );
  });

  it('a negative MAX_RUNNERS says "a positive whole number"', async () => {
    const { code, out } = await doctor({ MAX_RUNNERS: '-3' });
    expect(code).toBe(1);
    expect(entry(out, 'FAIL', 'configuration')).toContain(
      'MAX_RUNNERS: must be a positive whole number, at most 100000',
    );
  });

  it('GitHub failing (5xx, network) is reported without promising a retry', async () => {
    github.failNext('GET', /^\/app\/hook\/config$/, 502, { body: { message: 'Bad gateway' } });
    github.failNext('GET', /^\/app\/installations$/, 503);
    const { code, out } = await doctor();
    expect(code).toBe(1);
    expect(entry(out, 'FAIL', 'webhook')).toContain('GitHub answered 502');
    expect(entry(out, 'FAIL', 'installations')).toContain('GitHub answered 503');
    expect(out).not.toMatch(/will retry|retrying/i);
  });
});
