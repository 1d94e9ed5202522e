import { describe, expect, it } from '@jest/globals';
import type { RunnerClass } from '../../src/config/runner-class.js';
import { doctorExitCode, formatDoctorReport, result } from '../../src/doctor/check-result.js';
import { checkGpuTypes } from '../../src/doctor/gpu-check.js';
import { evaluateHookConfig, evaluateInstallation } from '../../src/doctor/github-evaluations.js';
import { githubUrls } from '../../src/doctor/github-urls.js';
import {
  checkRunnerVersions,
  newestLinuxX64Version,
} from '../../src/doctor/runner-version-check.js';

const classes = (...list: RunnerClass[]) => new Map(list.map((c) => [c.name, c] as const));
const modal: RunnerClass = { name: 'modal', cpu: 2, memoryMiB: 8192 };
const known = { kind: 'known', version: '2.334.0', org: 'acme' } as const;
const userApp = { slug: 'runner-app', owner: { login: 'octocat', type: 'User' } };

describe('doctor checks (pure)', () => {
  it('RUNNER_VERSION below the minimum FAILs even when GitHub is unknown', () => {
    const [r] = checkRunnerVersions('2.300.0', classes(modal), { kind: 'unknown', reason: 'x' });
    expect(r?.status).toBe('FAIL');
    expect(r?.summary).toContain('older than 2.329.0');
    expect(r?.fix).toContain('set RUNNER_VERSION=2.329.0');
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
    const [path] = evaluateHookConfig(
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
