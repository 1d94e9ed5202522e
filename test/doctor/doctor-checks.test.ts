import { describe, expect, it } from '@jest/globals';
import { parseRepoAllowlist } from '../../src/config/repo-allowlist.js';
import type { RunnerClass } from '../../src/config/runner-class.js';
import { doctorExitCode, formatDoctorReport, result } from '../../src/doctor/check-result.js';
import { checkGpuTypes } from '../../src/doctor/gpu-check.js';
import { evaluateInstallation } from '../../src/doctor/installations-check.js';
import { judgeRunnerGroup } from '../../src/doctor/runner-group-check.js';
import { evaluateHookConfig } from '../../src/doctor/webhook-check.js';
import { githubUrls } from '../../src/doctor/github-urls.js';
import type { RunnerGroup } from '../../src/github/runner-group.js';
import { checkRunnerVersions } from '../../src/doctor/judge-runner-version.js';
import { newestLinuxX64Version } from '../../src/github/newest-runner-version.js';

const classes = (...list: RunnerClass[]) => new Map(list.map((c) => [c.name, c] as const));
const modal: RunnerClass = { name: 'modal', cpu: 2, memoryMiB: 8192 };
const known = { kind: 'known', version: '2.334.0', org: 'acme' } as const;
const userApp = { slug: 'runner-app', owner: { login: 'octocat', type: 'User' } };

describe('doctor checks (pure)', () => {
  it('RUNNER_VERSION below the minimum FAILs even when GitHub is unknown', () => {
    const [r] = checkRunnerVersions('2.300.0', classes(modal), { kind: 'unknown', reason: 'x' });
    expect(r?.status).toBe('FAIL');
    expect(r?.summary).toContain('older than 2.329.0');
    expect(r?.fix).toContain('set RUNNER_VERSION=2.329.0 (or latest)');
  });

  it('versions: newer than GitHub passes, only custom images is INFO', () => {
    expect(checkRunnerVersions('2.335.0', classes(modal), known)[0]?.status).toBe('PASS');
    const custom = checkRunnerVersions(
      '2.334.0',
      classes({ ...modal, image: 'example.com/runner:latest' }),
      known,
    );
    expect(custom.map((r) => r.status)).toEqual(['INFO', 'INFO']);
    expect(custom[0]?.summary).toContain('unused');
  });

  it('picks the newest linux x64 download', () => {
    expect(
      newestLinuxX64Version([
        {
          os: 'linux',
          architecture: 'arm64',
          filename: 'actions-runner-linux-arm64-2.399.0.tar.gz',
        },
        { os: 'linux', architecture: 'x64', filename: 'actions-runner-linux-x64-2.333.1.tar.gz' },
        { os: 'linux', architecture: 'x64', filename: 'actions-runner-linux-x64-2.334.0.tar.gz' },
        { os: 'win', architecture: 'x64', filename: 'actions-runner-win-x64-2.335.0.zip' },
      ]),
    ).toBe('2.334.0');
    expect(newestLinuxX64Version([])).toBeUndefined();
  });

  it('an unknown GPU type FAILs with the known list and the variable', () => {
    const r = checkGpuTypes(classes(modal, { ...modal, name: 'modal-gpu', gpu: 'RTX4090' }));
    expect(r.status).toBe('FAIL');
    expect(r.summary).toContain('modal-gpu asks for "RTX4090"');
    expect(r.details?.[0]).toContain('H100');
    expect(r.fix).toContain('RUNNER_CLASSES');
    expect(checkGpuTypes(classes({ ...modal, gpu: 'h100:2' })).status).toBe('PASS');
  });

  it('webhook: localhost, SSL off, proxy mismatch and a user-owned App', () => {
    const urls = githubUrls(userApp, undefined);
    expect(urls.appGeneral).toBe('https://github.com/settings/apps/runner-app');
    const [url] = evaluateHookConfig(
      {
        url: 'http://user:pw@localhost:3000/api/github/webhooks',
        insecure_ssl: '1',
        secret: '***',
      },
      { webhookPath: '/api/github/webhooks', proxyUrl: 'https://smee.io/abc' },
      urls,
    );
    expect(url?.status).toBe('WARN');
    expect(url?.summary).not.toContain('pw');
    expect(url?.details?.join('\n')).toContain('GitHub cannot deliver to it');
    expect(url?.details?.join('\n')).toContain('SSL verification is off');
    expect(url?.details?.join('\n')).toContain('WEBHOOK_PROXY_URL is set');
    const [, path] = evaluateHookConfig(
      { url: 'https://runners.example.com/hooks', secret: '***' },
      { webhookPath: '/api/github/webhooks', proxyUrl: undefined },
      urls,
    );
    expect(path?.fix).toContain('set WEBHOOK_PATH=/hooks');
  });

  it('a suspended installation FAILs; a user installation with administration WARNs', () => {
    const urls = githubUrls(userApp, 'https://ghe.example.com/api/v3');
    const suspended = evaluateInstallation(
      {
        id: 3,
        account: { login: 'acme', type: 'Organization' },
        suspended_at: '2026-01-01T00:00:00Z',
      },
      userApp,
      urls,
    );
    expect(suspended.result.status).toBe('FAIL');
    expect(suspended.result.fix).toContain(
      'https://ghe.example.com/organizations/acme/settings/installations/3',
    );
    const user = evaluateInstallation(
      {
        id: 4,
        account: { login: 'octocat', type: 'User' },
        permissions: { administration: 'write' },
      },
      userApp,
      urls,
    );
    expect(user.result.status).toBe('WARN');
    expect(user.org).toBeUndefined();
  });

  it('formats sections, fixes and the summary; colour only when asked; exit code', () => {
    const results = [
      result.pass('Configuration', 'configuration', 'ok'),
      result.fail('Modal', 'GPU types', 'bad\nsecond line', { fix: 'do this' }),
      result.warn('Modal', 'x', 'meh', { fix: 'maybe' }),
    ];
    const text = formatDoctorReport(results);
    expect(text).toContain('Configuration\n  PASS  configuration: ok');
    expect(text).toContain('  FAIL  GPU types: bad\n          second line\n          fix: do this');
    expect(text).toContain('1 passed, 1 warning(s), 1 failed, 0 skipped.');
    expect(text).not.toContain('\u001b[');
    expect(formatDoctorReport(results, { color: true })).toContain('\u001b[31mFAIL');
    expect(doctorExitCode(results)).toBe(1);
    expect(doctorExitCode(results.filter((r) => r.status !== 'FAIL'))).toBe(0);
  });
});

describe('doctor checks (pure): runner group and webhook path', () => {
  const urls = githubUrls(
    { slug: 'runner-app', owner: { login: 'acme', type: 'Organization' } },
    undefined,
  );
  const group: RunnerGroup = {
    org: 'acme',
    id: 1,
    name: 'Default',
    visibility: 'all',
    isDefault: true,
    allowsPublicRepositories: false,
    restrictedToWorkflows: false,
    selectedWorkflows: [],
    repositories: undefined,
  };
  const policy = (allowed?: string, allowPublicRepos = false) => ({
    allowedRepos: parseRepoAllowlist(allowed),
    allowPublicRepos,
  });

  it.each<[string, RunnerGroup, ReturnType<typeof policy>, string, string]>([
    [
      'open to all private repositories, no allowlist',
      group,
      policy(),
      'PASS',
      'admits all repositories except public ones',
    ],
    [
      'public ones admitted, refused by the App',
      { ...group, allowsPublicRepositories: true },
      policy(),
      'FAIL',
      'admits public repositories while ALLOW_PUBLIC_REPOS=false',
    ],
    [
      'public ones admitted and served',
      { ...group, allowsPublicRepositories: true },
      policy(undefined, true),
      'PASS',
      'public ones included',
    ],
    ['open to all, with an allowlist', group, policy('acme/web'), 'FAIL', 'not only ALLOWED_REPOS'],
    [
      'workflow restrictions only warn',
      { ...group, restrictedToWorkflows: true, selectedWorkflows: ['ci.yml'] },
      policy(),
      'WARN',
      'only selected workflows may use it (ci.yml)',
    ],
    [
      'an empty selected group only warns',
      { ...group, visibility: 'selected', repositories: [] },
      policy(),
      'WARN',
      'every job would wait forever',
    ],
  ])('%s', (_name, g, p, status, text) => {
    const r = judgeRunnerGroup(g, p, urls);
    expect(r.status).toBe(status);
    expect([r.summary, ...(r.details ?? [])].join('\n')).toContain(text);
    if (status !== 'PASS') expect(r.fix).toContain(urls.runnerGroup('acme', 1));
  });

  it('a failing Default group says a group of its own avoids the trouble', () => {
    const r = judgeRunnerGroup(group, policy('acme/web'), urls);
    expect(r.details?.join('\n')).toContain("the organization's Default group");
  });

  it.each<[string, string, string, string | undefined, string]>([
    [
      'exact path',
      'https://r.example.com/api/github/webhooks',
      '/api/github/webhooks',
      undefined,
      'PASS',
    ],
    [
      'trailing slash',
      'https://r.example.com/api/github/webhooks/',
      '/api/github/webhooks',
      undefined,
      'PASS',
    ],
    [
      'a proxy prefix',
      'https://r.example.com/ci/api/github/webhooks',
      '/api/github/webhooks',
      undefined,
      'PASS',
    ],
    ['the root', 'https://r.example.com/', '/api/github/webhooks', undefined, 'FAIL'],
    [
      'a partial segment',
      'https://r.example.com/xapi/github/webhooks',
      '/api/github/webhooks',
      undefined,
      'FAIL',
    ],
    ['another path', 'https://r.example.com/hooks', '/api/github/webhooks', undefined, 'FAIL'],
    [
      'through the proxy',
      'https://smee.io/abc',
      '/api/github/webhooks',
      'https://smee.io/abc',
      'PASS',
    ],
    ['smee without the proxy', 'https://smee.io/abc', '/api/github/webhooks', undefined, 'WARN'],
    ['no URL', '', '/api/github/webhooks', undefined, 'SKIP'],
  ])('webhook path: %s', (_name, url, webhookPath, proxyUrl, status) => {
    const [, path] = evaluateHookConfig({ url, secret: '***' }, { webhookPath, proxyUrl }, urls);
    expect(path?.name).toBe('webhook path');
    expect(path?.status).toBe(status);
  });
});
