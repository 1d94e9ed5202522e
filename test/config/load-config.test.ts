import { compareVersions } from '../../src/config/compare-versions.js';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import { ConfigError } from '../../src/config/config-error.js';
import { hasAppCredentials, loadConfig, type Config } from '../../src/config/config.js';
import {
  DEFAULT_RUNNER_VERSION,
  MIN_RUNNER_VERSION,
  RUNNER_VERSION_FLOOR,
} from '../../src/config/env-schema.js';
import { maskConfig } from '../../src/config/mask-config.js';

// One real RSA key per file: PKCS#1 ("BEGIN RSA PRIVATE KEY", what GitHub hands out) and PKCS#8.
const keyPair = generateKeyPairSync('rsa', { modulusLength: 2048 });
const PEM = keyPair.privateKey.export({ type: 'pkcs1', format: 'pem' }) as string;
const PEM_PKCS8 = keyPair.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
const PUBLIC_PEM = keyPair.publicKey.export({ type: 'spki', format: 'pem' }) as string;
/** A line from the middle of the key body: if it shows up anywhere, the key leaked. */
const PEM_BODY_LINE = PEM.split('\n')[5] as string;

type Env = Record<string, string | undefined>;

const BASE: Env = { APP_ID: '12345', PRIVATE_KEY: PEM, WEBHOOK_SECRET: 'whsec-base-0123456789' };

const noReadFile = (path: string): string => {
  throw new Error(`readFile must not be called (asked for ${path})`);
};

const load = (overrides: Env = {}, readFile = noReadFile): Config =>
  loadConfig({ ...BASE, ...overrides }, readFile);

/** The ConfigError that loading throws; fails the test when loading succeeds. */
function configErrorOf(env: Env, readFile = noReadFile): ConfigError {
  try {
    loadConfig(env, readFile);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error(`expected loadConfig to throw for ${JSON.stringify(Object.keys(env))}`);
}

const without = (env: Env, ...names: string[]): Env =>
  Object.fromEntries(Object.entries(env).filter(([k]) => !names.includes(k)));

describe('loadConfig: defaults', () => {
  const config = load();

  it.each<[string, (c: Config) => unknown, unknown]>([
    ['APP_ID is a number', (c) => c.github.appId, 12345],
    ['PRIVATE_KEY kept as given', (c) => c.github.privateKey, PEM],
    ['WEBHOOK_SECRET kept as given', (c) => c.github.webhookSecret, 'whsec-base-0123456789'],
    ['WEBHOOK_PATH', (c) => c.github.webhookPath, '/api/github/webhooks'],
    ['no GHE_HOST means github.com', (c) => c.github.baseUrl, undefined],
    ['HOST', (c) => c.server.host, 'localhost'],
    ['PORT', (c) => c.server.port, 3000],
    ['LOG_LEVEL', (c) => c.server.logLevel, 'info'],
    ['MODAL_APP_NAME', (c) => c.modal.appName, 'github-runners'],
    ['MODAL_ENVIRONMENT', (c) => c.modal.environment, undefined],
    ['MODAL_SERVER_URL', (c) => c.modal.serverUrl, undefined],
    ['MODAL_TOKEN_ID', (c) => c.modal.tokenId, undefined],
    ['MODAL_TOKEN_SECRET', (c) => c.modal.tokenSecret, undefined],
    ['RUNNER_GROUP_ID', (c) => c.runners.groupId, 1],
    ['SANDBOX_TIMEOUT_MINUTES', (c) => c.runners.sandboxTimeoutMinutes, 360],
    ['ALLOWED_REPOS unset allows every repository', (c) => c.policy.allowedRepos, null],
    ['ALLOW_PUBLIC_REPOS', (c) => c.policy.allowPublicRepos, false],
    ['MAX_CONCURRENT_LAUNCHES', (c) => c.limits.maxConcurrentLaunches, 10],
    ['MAX_RUNNERS', (c) => c.limits.maxRunners, 50],
    ['JIT_RATE_PER_SECOND', (c) => c.limits.jitRatePerSecond, 10],
  ])('%s', (_name, select, expected) => {
    expect(select(config)).toStrictEqual(expected);
  });

  it('RUNNER_CLASSES defaults to one class "modal" with 2 CPU and 8 GiB', () => {
    expect([...config.runners.classes.entries()]).toStrictEqual([
      ['modal', { name: 'modal', cpu: 2, memoryMiB: 8192 }],
    ]);
  });

  it('RUNNER_VERSION defaults to latest, whose fallback is no older than 2.329.0', () => {
    expect(config.runners.version).toBe('latest');
    expect(DEFAULT_RUNNER_VERSION).toBe('latest');
    expect(MIN_RUNNER_VERSION).toBe('2.329.0');
    expect(RUNNER_VERSION_FLOOR).toMatch(/^\d+\.\d+\.\d+$/);
    expect(compareVersions(RUNNER_VERSION_FLOOR, '2.329.0')).toBeGreaterThanOrEqual(0);
  });

  it.each([
    'WEBHOOK_PATH',
    'GHE_HOST',
    'GHE_PROTOCOL',
    'PORT',
    'HOST',
    'LOG_LEVEL',
    'LOG_FORMAT',
    'REDIS_URL',
    'WEBHOOK_PROXY_URL',
    'MODAL_TOKEN_ID',
    'MODAL_TOKEN_SECRET',
    'MODAL_ENVIRONMENT',
    'MODAL_SERVER_URL',
    'RUNNER_CLASSES',
    'ALLOWED_REPOS',
    'ALLOW_PUBLIC_REPOS',
    'RUNNER_GROUP_ID',
    'RUNNER_VERSION',
    'MODAL_APP_NAME',
    'SANDBOX_TIMEOUT_MINUTES',
    'MAX_CONCURRENT_LAUNCHES',
    'MAX_RUNNERS',
    'JIT_RATE_PER_SECOND',
    'PRIVATE_KEY_PATH',
  ])('%s set to the empty string counts as unset', (name) => {
    expect(load({ [name]: '' })).toStrictEqual(config);
  });

  it('ignores variables it does not know', () => {
    expect(load({ PATH: '/usr/bin', NODE_ENV: 'production', RUNNER_CLASS: 'oops' })).toStrictEqual(
      config,
    );
  });
});

describe('loadConfig: valid forms', () => {
  it.each<[string, Env, (c: Config) => unknown, unknown]>([
    ['APP_ID', { APP_ID: '987654' }, (c) => c.github.appId, 987654],
    ['PRIVATE_KEY as PKCS#8', { PRIVATE_KEY: PEM_PKCS8 }, (c) => c.github.privateKey, PEM_PKCS8],
    [
      'PRIVATE_KEY with literal \\n escapes (one line in a .env file)',
      { PRIVATE_KEY: PEM.replace(/\n/g, '\\n') },
      (c) => c.github.privateKey,
      PEM,
    ],
    [
      'WEBHOOK_SECRET of 20 characters',
      { WEBHOOK_SECRET: 's3cr3t-s3cr3t-s3cr3t' },
      (c) => c.github.webhookSecret,
      's3cr3t-s3cr3t-s3cr3t',
    ],
    [
      'WEBHOOK_PATH',
      { WEBHOOK_PATH: '/hooks/github' },
      (c) => c.github.webhookPath,
      '/hooks/github',
    ],
    [
      'GHE_HOST with default protocol',
      { GHE_HOST: 'github.example.com' },
      (c) => c.github.baseUrl,
      'https://github.example.com/api/v3',
    ],
    [
      'GHE_HOST with port and GHE_PROTOCOL=http',
      { GHE_HOST: 'ghe.internal:8443', GHE_PROTOCOL: 'http' },
      (c) => c.github.baseUrl,
      'http://ghe.internal:8443/api/v3',
    ],
    [
      'GHE_PROTOCOL alone changes nothing (github.com)',
      { GHE_PROTOCOL: 'http' },
      (c) => c.github.baseUrl,
      undefined,
    ],
    ['PORT', { PORT: '8080' }, (c) => c.server.port, 8080],
    ['PORT lowest', { PORT: '1' }, (c) => c.server.port, 1],
    ['PORT highest', { PORT: '65535' }, (c) => c.server.port, 65535],
    ['HOST', { HOST: '0.0.0.0' }, (c) => c.server.host, '0.0.0.0'],
    ['LOG_LEVEL trace', { LOG_LEVEL: 'trace' }, (c) => c.server.logLevel, 'trace'],
    ['LOG_LEVEL debug', { LOG_LEVEL: 'debug' }, (c) => c.server.logLevel, 'debug'],
    ['LOG_LEVEL warn', { LOG_LEVEL: 'warn' }, (c) => c.server.logLevel, 'warn'],
    ['LOG_LEVEL error', { LOG_LEVEL: 'error' }, (c) => c.server.logLevel, 'error'],
    ['LOG_LEVEL fatal', { LOG_LEVEL: 'fatal' }, (c) => c.server.logLevel, 'fatal'],
    ['LOG_FORMAT json', { LOG_FORMAT: 'json' }, (c) => c.server.logLevel, 'info'],
    ['LOG_FORMAT pretty', { LOG_FORMAT: 'pretty' }, (c) => c.server.logLevel, 'info'],
    ['REDIS_URL', { REDIS_URL: 'redis://localhost:6379' }, (c) => c.github.appId, 12345],
    [
      'WEBHOOK_PROXY_URL',
      { WEBHOOK_PROXY_URL: 'https://smee.io/abc' },
      (c) => c.github.appId,
      12345,
    ],
    [
      'MODAL_TOKEN_ID and MODAL_TOKEN_SECRET together',
      { MODAL_TOKEN_ID: 'ak-123', MODAL_TOKEN_SECRET: 'as-456' },
      (c) => [c.modal.tokenId, c.modal.tokenSecret],
      ['ak-123', 'as-456'],
    ],
    ['MODAL_ENVIRONMENT', { MODAL_ENVIRONMENT: 'staging' }, (c) => c.modal.environment, 'staging'],
    [
      'MODAL_SERVER_URL',
      { MODAL_SERVER_URL: 'http://127.0.0.1:50051' },
      (c) => c.modal.serverUrl,
      'http://127.0.0.1:50051',
    ],
    [
      'RUNNER_CLASSES with several classes',
      { RUNNER_CLASSES: '{"modal":{},"modal-gpu":{"cpu":8,"memoryMiB":32768,"gpu":"H100"}}' },
      (c) => [...c.runners.classes.values()],
      [
        { name: 'modal', cpu: 2, memoryMiB: 8192 },
        { name: 'modal-gpu', cpu: 8, memoryMiB: 32768, gpu: 'H100' },
      ],
    ],
    [
      'ALLOWED_REPOS, trimmed and lower-cased',
      { ALLOWED_REPOS: ' Acme/API , acme-labs/* ' },
      (c) => c.policy.allowedRepos,
      [
        { owner: 'acme', repo: 'api' },
        { owner: 'acme-labs', repo: '*' },
      ],
    ],
    [
      'ALLOW_PUBLIC_REPOS=true',
      { ALLOW_PUBLIC_REPOS: 'true' },
      (c) => c.policy.allowPublicRepos,
      true,
    ],
    ['ALLOW_PUBLIC_REPOS=1', { ALLOW_PUBLIC_REPOS: '1' }, (c) => c.policy.allowPublicRepos, true],
    [
      'ALLOW_PUBLIC_REPOS=yes',
      { ALLOW_PUBLIC_REPOS: 'yes' },
      (c) => c.policy.allowPublicRepos,
      true,
    ],
    [
      'ALLOW_PUBLIC_REPOS=false',
      { ALLOW_PUBLIC_REPOS: 'false' },
      (c) => c.policy.allowPublicRepos,
      false,
    ],
    ['ALLOW_PUBLIC_REPOS=0', { ALLOW_PUBLIC_REPOS: '0' }, (c) => c.policy.allowPublicRepos, false],
    [
      'ALLOW_PUBLIC_REPOS=no',
      { ALLOW_PUBLIC_REPOS: 'no' },
      (c) => c.policy.allowPublicRepos,
      false,
    ],
    ['RUNNER_GROUP_ID', { RUNNER_GROUP_ID: '42' }, (c) => c.runners.groupId, 42],
    [
      'RUNNER_VERSION at the minimum',
      { RUNNER_VERSION: '2.329.0' },
      (c) => c.runners.version,
      '2.329.0',
    ],
    ['RUNNER_VERSION newer', { RUNNER_VERSION: '2.340.1' }, (c) => c.runners.version, '2.340.1'],
    [
      'RUNNER_VERSION compared numerically, not as text',
      { RUNNER_VERSION: '2.1000.0' },
      (c) => c.runners.version,
      '2.1000.0',
    ],
    ['RUNNER_VERSION next major', { RUNNER_VERSION: '3.0.0' }, (c) => c.runners.version, '3.0.0'],
    ['RUNNER_VERSION latest', { RUNNER_VERSION: 'latest' }, (c) => c.runners.version, 'latest'],
    [
      'MODAL_APP_NAME',
      { MODAL_APP_NAME: 'ci_runners.v2-prod' },
      (c) => c.modal.appName,
      'ci_runners.v2-prod',
    ],
    [
      'SANDBOX_TIMEOUT_MINUTES lowest',
      { SANDBOX_TIMEOUT_MINUTES: '1' },
      (c) => c.runners.sandboxTimeoutMinutes,
      1,
    ],
    [
      'SANDBOX_TIMEOUT_MINUTES highest (24 h)',
      { SANDBOX_TIMEOUT_MINUTES: '1440' },
      (c) => c.runners.sandboxTimeoutMinutes,
      1440,
    ],
    [
      'MAX_CONCURRENT_LAUNCHES',
      { MAX_CONCURRENT_LAUNCHES: '3' },
      (c) => c.limits.maxConcurrentLaunches,
      3,
    ],
    ['MAX_RUNNERS', { MAX_RUNNERS: '500' }, (c) => c.limits.maxRunners, 500],
    [
      'JIT_RATE_PER_SECOND fractional',
      { JIT_RATE_PER_SECOND: '2.5' },
      (c) => c.limits.jitRatePerSecond,
      2.5,
    ],
    [
      'JIT_RATE_PER_SECOND highest',
      { JIT_RATE_PER_SECOND: '100' },
      (c) => c.limits.jitRatePerSecond,
      100,
    ],
  ])('%s', (_name, overrides, select, expected) => {
    expect(select(load(overrides))).toStrictEqual(expected);
  });
});

describe('loadConfig: invalid forms name the variable and say how to fix it', () => {
  it.each<[string, Env, string, string | RegExp]>([
    [
      'APP_ID not numeric',
      { APP_ID: 'my-app' },
      'APP_ID',
      'numeric App ID from the App settings page',
    ],
    ['APP_ID with trailing text', { APP_ID: '123abc' }, 'APP_ID', 'numeric App ID'],
    ['APP_ID negative', { APP_ID: '-5' }, 'APP_ID', 'numeric App ID'],
    [
      'PRIVATE_KEY not a PEM',
      { PRIVATE_KEY: 'not a key' },
      'PRIVATE_KEY',
      '"Generate a private key"',
    ],
    [
      'PRIVATE_KEY is a public key',
      { PRIVATE_KEY: PUBLIC_PEM },
      'PRIVATE_KEY',
      'is not a PEM private key',
    ],
    ['WEBHOOK_PATH without leading slash', { WEBHOOK_PATH: 'hooks' }, 'WEBHOOK_PATH', '"/"'],
    ['STATUS_TOKEN too short', { STATUS_TOKEN: 'short' }, 'STATUS_TOKEN', 'openssl rand -hex 32'],
    [
      'WEBHOOK_SECRET shorter than 20 characters',
      { WEBHOOK_SECRET: 'a'.repeat(19) },
      'WEBHOOK_SECRET',
      /at least 20 characters.*`openssl rand -hex 32`/,
    ],
    [
      'GHE_HOST given as a URL',
      { GHE_HOST: 'https://github.example.com' },
      'GHE_HOST',
      'must be a host name such as github.example.com',
    ],
    [
      'GHE_HOST with a path',
      { GHE_HOST: 'github.example.com/api/v3' },
      'GHE_HOST',
      'host name such as',
    ],
    ['GHE_PROTOCOL unknown', { GHE_PROTOCOL: 'ftp' }, 'GHE_PROTOCOL', /"https".*"http"/],
    [
      'PORT not a number',
      { PORT: 'http' },
      'PORT',
      'must be a positive whole number, at most 65535',
    ],
    ['PORT fractional', { PORT: '80.5' }, 'PORT', 'must be a positive whole number'],
    ['PORT zero', { PORT: '0' }, 'PORT', 'must be a positive whole number'],
    ['PORT too high', { PORT: '65536' }, 'PORT', 'at most 65535'],
    ['LOG_LEVEL unknown', { LOG_LEVEL: 'verbose' }, 'LOG_LEVEL', /"trace".*"fatal"/],
    ['LOG_LEVEL in capitals', { LOG_LEVEL: 'INFO' }, 'LOG_LEVEL', '"info"'],
    ['LOG_FORMAT unknown', { LOG_FORMAT: 'xml' }, 'LOG_FORMAT', /"json".*"pretty"/],
    [
      'WEBHOOK_PROXY_URL not a URL',
      { WEBHOOK_PROXY_URL: 'smee channel' },
      'WEBHOOK_PROXY_URL',
      'must be a URL such as https://smee.io/abc',
    ],
    [
      'MODAL_SERVER_URL not a URL',
      { MODAL_SERVER_URL: 'modal api' },
      'MODAL_SERVER_URL',
      'must be a URL such as https://api.modal.com',
    ],
    [
      'MODAL_TOKEN_ID without MODAL_TOKEN_SECRET',
      { MODAL_TOKEN_ID: 'ak-123' },
      'MODAL_TOKEN_SECRET',
      'set both (modal token new) or neither',
    ],
    [
      'MODAL_TOKEN_SECRET without MODAL_TOKEN_ID',
      { MODAL_TOKEN_SECRET: 'as-456' },
      'MODAL_TOKEN_ID',
      'MODAL_TOKEN_ID and MODAL_TOKEN_SECRET go together',
    ],
    ['RUNNER_CLASSES not JSON', { RUNNER_CLASSES: 'modal' }, 'RUNNER_CLASSES', 'is not valid JSON'],
    [
      'RUNNER_CLASSES empty object',
      { RUNNER_CLASSES: '{}' },
      'RUNNER_CLASSES',
      'must define at least one runner class',
    ],
    [
      'RUNNER_CLASSES unknown field',
      { RUNNER_CLASSES: '{"modal":{"memory":4096}}' },
      'RUNNER_CLASSES',
      'memory',
    ],
    [
      'RUNNER_CLASSES upper-case name',
      { RUNNER_CLASSES: '{"Modal":{}}' },
      'RUNNER_CLASSES',
      'lower-case',
    ],
    [
      'RUNNER_CLASSES generic label as name',
      { RUNNER_CLASSES: '{"linux":{}}' },
      'RUNNER_CLASSES',
      'a label every runner has',
    ],
    [
      'ALLOWED_REPOS entry without a slash',
      { ALLOWED_REPOS: 'acme' },
      'ALLOWED_REPOS',
      'example: my-org/api,my-org/*',
    ],
    [
      'ALLOWED_REPOS one good, one bad entry',
      { ALLOWED_REPOS: 'acme/api,https://github.com/acme/web' },
      'ALLOWED_REPOS',
      '"https://github.com/acme/web" is not "owner/repo" or "owner/*"',
    ],
    [
      'ALLOW_PUBLIC_REPOS not a boolean',
      { ALLOW_PUBLIC_REPOS: 'maybe' },
      'ALLOW_PUBLIC_REPOS',
      'must be "true" or "false"',
    ],
    [
      'RUNNER_GROUP_ID zero',
      { RUNNER_GROUP_ID: '0' },
      'RUNNER_GROUP_ID',
      /^must be a positive whole number$/,
    ],
    ['RUNNER_GROUP_ID a name', { RUNNER_GROUP_ID: 'Default' }, 'RUNNER_GROUP_ID', 'whole number'],
    [
      'RUNNER_VERSION older than 2.329.0',
      { RUNNER_VERSION: '2.328.0' },
      'RUNNER_VERSION',
      'must be 2.329.0 or newer: GitHub refuses to register older runners',
    ],
    [
      'RUNNER_VERSION much older',
      { RUNNER_VERSION: '2.99.9' },
      'RUNNER_VERSION',
      '2.329.0 or newer',
    ],
    [
      'RUNNER_VERSION with a v prefix',
      { RUNNER_VERSION: 'v2.330.0' },
      'RUNNER_VERSION',
      'must be "latest" or a version such as 2.330.0',
    ],
    ['RUNNER_VERSION two parts', { RUNNER_VERSION: '2.330' }, 'RUNNER_VERSION', 'version such as'],
    [
      'RUNNER_VERSION Latest',
      { RUNNER_VERSION: 'Latest' },
      'RUNNER_VERSION',
      '"latest" or a version',
    ],
    [
      'MODAL_APP_NAME with a space',
      { MODAL_APP_NAME: 'github runners' },
      'MODAL_APP_NAME',
      'must be letters, digits, ".", "_" or "-"',
    ],
    ['MODAL_APP_NAME too long', { MODAL_APP_NAME: 'a'.repeat(65) }, 'MODAL_APP_NAME', 'letters'],
    [
      'SANDBOX_TIMEOUT_MINUTES zero',
      { SANDBOX_TIMEOUT_MINUTES: '0' },
      'SANDBOX_TIMEOUT_MINUTES',
      'must be a positive whole number, at most 1440',
    ],
    [
      'SANDBOX_TIMEOUT_MINUTES over a day',
      { SANDBOX_TIMEOUT_MINUTES: '1441' },
      'SANDBOX_TIMEOUT_MINUTES',
      'at most 1440',
    ],
    [
      'SANDBOX_TIMEOUT_MINUTES with a unit',
      { SANDBOX_TIMEOUT_MINUTES: '6h' },
      'SANDBOX_TIMEOUT_MINUTES',
      'whole number',
    ],
    [
      'MAX_CONCURRENT_LAUNCHES zero',
      { MAX_CONCURRENT_LAUNCHES: '0' },
      'MAX_CONCURRENT_LAUNCHES',
      'positive whole number',
    ],
    [
      'MAX_CONCURRENT_LAUNCHES not a number',
      { MAX_CONCURRENT_LAUNCHES: 'ten' },
      'MAX_CONCURRENT_LAUNCHES',
      'whole number',
    ],
    ['MAX_RUNNERS zero', { MAX_RUNNERS: '0' }, 'MAX_RUNNERS', 'positive whole number'],
    [
      'MAX_RUNNERS negative',
      { MAX_RUNNERS: '-3' },
      'MAX_RUNNERS',
      'must be a positive whole number',
    ],
    [
      'MAX_RUNNERS not a number',
      { MAX_RUNNERS: 'lots' },
      'MAX_RUNNERS',
      'must be a positive whole number',
    ],
    [
      'RECONCILE_INTERVAL_SECONDS negative',
      { RECONCILE_INTERVAL_SECONDS: '-5' },
      'RECONCILE_INTERVAL_SECONDS',
      'must be a whole number from 5 to 3600',
    ],
    [
      'REDELIVERY_LOOKBACK_HOURS too many',
      { REDELIVERY_LOOKBACK_HOURS: '73' },
      'REDELIVERY_LOOKBACK_HOURS',
      'must be a whole number from 0 to 72',
    ],
    [
      'JIT_RATE_PER_SECOND zero',
      { JIT_RATE_PER_SECOND: '0' },
      'JIT_RATE_PER_SECOND',
      'must be greater than 0',
    ],
    [
      'JIT_RATE_PER_SECOND over 100',
      { JIT_RATE_PER_SECOND: '101' },
      'JIT_RATE_PER_SECOND',
      'must be at most 100',
    ],
    [
      'JIT_RATE_PER_SECOND not a number',
      { JIT_RATE_PER_SECOND: 'fast' },
      'JIT_RATE_PER_SECOND',
      'must be a number',
    ],
  ])('%s', (_name, overrides, variable, hint) => {
    const error = configErrorOf({ ...BASE, ...overrides });
    expect(error.problems).toHaveLength(1);
    const [problem] = error.problems;
    expect(problem?.variable).toBe(variable);
    if (typeof hint === 'string') expect(problem?.message).toContain(hint);
    else expect(problem?.message).toMatch(hint);
    // The printed message names the variable too, and ends with what to do next.
    expect(error.message).toContain(`  - ${variable}: `);
    expect(error.message).toContain('Fix the variables above (see .env.example and DEPLOY.md)');
    expect(error.name).toBe('ConfigError');
  });

  it.each<[string, Env, string, string]>([
    [
      'APP_ID missing',
      without(BASE, 'APP_ID'),
      'APP_ID',
      'numeric App ID from the App settings page',
    ],
    ['APP_ID empty', { ...BASE, APP_ID: '' }, 'APP_ID', 'numeric App ID'],
    [
      'WEBHOOK_SECRET missing',
      without(BASE, 'WEBHOOK_SECRET'),
      'WEBHOOK_SECRET',
      "set it to the App's webhook secret",
    ],
    ['WEBHOOK_SECRET empty', { ...BASE, WEBHOOK_SECRET: '' }, 'WEBHOOK_SECRET', 'webhook secret'],
    [
      'PRIVATE_KEY and PRIVATE_KEY_PATH both missing',
      without(BASE, 'PRIVATE_KEY'),
      'PRIVATE_KEY or PRIVATE_KEY_PATH',
      'set PRIVATE_KEY to the App private key (PEM) or PRIVATE_KEY_PATH to its .pem file',
    ],
    [
      'PRIVATE_KEY empty and no PRIVATE_KEY_PATH',
      { ...BASE, PRIVATE_KEY: '' },
      'PRIVATE_KEY or PRIVATE_KEY_PATH',
      'PRIVATE_KEY',
    ],
  ])('%s: required, with a hint', (_name, env, variable, hint) => {
    const error = configErrorOf(env);
    expect(error.problems).toHaveLength(1);
    const [problem] = error.problems;
    expect(problem?.variable).toBe(variable);
    expect(problem?.message).toMatch(/^is required/);
    expect(problem?.message).toContain(hint);
    // Said once, not "is required (is required: ...)".
    expect(problem?.message.match(/is required/g)).toHaveLength(1);
  });
});

describe('loadConfig: warnings', () => {
  it('has none by default', () => {
    expect(load().warnings).toStrictEqual([]);
  });

  it('GHE_PROTOCOL=http to a host elsewhere: a warning that names the host and the fix', () => {
    const { warnings } = load({ GHE_HOST: 'ghe.example.com:8080', GHE_PROTOCOL: 'http' });
    expect(warnings).toHaveLength(1);
    expect(warnings[0]?.variable).toBe('GHE_PROTOCOL');
    expect(warnings[0]?.message).toContain('ghe.example.com:8080');
    expect(warnings[0]?.message).toContain('unencrypted');
    expect(warnings[0]?.fix).toContain('GHE_PROTOCOL=https');
  });

  it.each<[string, Env]>([
    ['localhost', { GHE_HOST: 'localhost:8080', GHE_PROTOCOL: 'http' }],
    ['a name under localhost', { GHE_HOST: 'ghe.localhost', GHE_PROTOCOL: 'http' }],
    ['127.0.0.1', { GHE_HOST: '127.0.0.1:3000', GHE_PROTOCOL: 'http' }],
    ['another loopback address', { GHE_HOST: '127.1.2.3', GHE_PROTOCOL: 'http' }],
    ['https elsewhere', { GHE_HOST: 'ghe.example.com', GHE_PROTOCOL: 'https' }],
    ['http without GHE_HOST (github.com is always https)', { GHE_PROTOCOL: 'http' }],
  ])('none for %s', (_name, env) => {
    expect(load(env).warnings).toStrictEqual([]);
  });

  it('a loopback look-alike is not loopback', () => {
    expect(load({ GHE_HOST: '127.0.0.1.example.com', GHE_PROTOCOL: 'http' }).warnings).toHaveLength(
      1,
    );
  });
});

describe('loadConfig: several problems at once', () => {
  it('reports every bad schema variable in one error', () => {
    const error = configErrorOf({
      ...BASE,
      APP_ID: 'abc',
      PORT: '0',
      LOG_LEVEL: 'loud',
      RUNNER_VERSION: '2.300.0',
      MAX_RUNNERS: 'lots',
    });
    expect(error.problems.map((p) => p.variable).sort()).toStrictEqual(
      ['APP_ID', 'LOG_LEVEL', 'MAX_RUNNERS', 'PORT', 'RUNNER_VERSION'].sort(),
    );
    for (const v of ['APP_ID', 'LOG_LEVEL', 'MAX_RUNNERS', 'PORT', 'RUNNER_VERSION']) {
      expect(error.message).toContain(`  - ${v}: `);
    }
  });

  it('reports the private key, runner classes, allowlist and Modal token problems together', () => {
    const error = configErrorOf({
      APP_ID: '1',
      WEBHOOK_SECRET: 'whsec-long-enough-0123',
      PRIVATE_KEY: 'garbage',
      RUNNER_CLASSES: '{"modal":{"gpu":"H900"}}',
      ALLOWED_REPOS: 'acme',
      MODAL_TOKEN_ID: 'ak-1',
    });
    expect(error.problems.map((p) => p.variable).sort()).toStrictEqual(
      ['ALLOWED_REPOS', 'MODAL_TOKEN_SECRET', 'PRIVATE_KEY', 'RUNNER_CLASSES'].sort(),
    );
  });

  it('does not stop at the first schema problem: later checks are reported alongside', () => {
    const error = configErrorOf({
      APP_ID: 'abc',
      PORT: '99999',
      RUNNER_CLASSES: '{',
      ALLOWED_REPOS: 'acme/api/extra',
      MODAL_TOKEN_SECRET: 'as-1',
    });
    expect(error.problems.map((p) => p.variable).sort()).toStrictEqual(
      [
        'ALLOWED_REPOS',
        'APP_ID',
        'MODAL_TOKEN_ID',
        'PORT',
        'PRIVATE_KEY or PRIVATE_KEY_PATH',
        'RUNNER_CLASSES',
        'WEBHOOK_SECRET',
      ].sort(),
    );
  });

  it('an empty environment names every required variable', () => {
    const error = configErrorOf({});
    const variables = error.problems.map((p) => p.variable);
    expect(variables).toContain('APP_ID');
    expect(variables).toContain('WEBHOOK_SECRET');
    expect(variables.some((v) => v.startsWith('PRIVATE_KEY'))).toBe(true);
    expect(variables).toHaveLength(3);
  });
});

describe('loadConfig: PRIVATE_KEY_PATH', () => {
  const envWithPath = (path: string): Env => ({
    ...without(BASE, 'PRIVATE_KEY'),
    PRIVATE_KEY_PATH: path,
  });

  it('reads the key through the injected readFile', () => {
    const calls: string[] = [];
    const config = loadConfig(envWithPath('/run/secrets/app.pem'), (path) => {
      calls.push(path);
      return PEM;
    });
    expect(calls).toStrictEqual(['/run/secrets/app.pem']);
    expect(config.github.privateKey).toBe(PEM);
  });

  it('prefers PRIVATE_KEY when both are set, without reading the file', () => {
    const config = loadConfig({ ...BASE, PRIVATE_KEY_PATH: '/nowhere.pem' }, noReadFile);
    expect(config.github.privateKey).toBe(PEM);
  });

  it.each([
    ['ENOENT', 'ENOENT'],
    ['EACCES', 'EACCES'],
    [undefined, 'error'],
  ])('an unreadable path (%s) names PRIVATE_KEY_PATH, the path and the fix', (code, shown) => {
    const error = configErrorOf(envWithPath('/keys/missing.pem'), () => {
      throw Object.assign(new Error('cannot open'), code === undefined ? {} : { code });
    });
    expect(error.problems).toHaveLength(1);
    expect(error.problems[0]?.variable).toBe('PRIVATE_KEY_PATH');
    expect(error.problems[0]?.message).toContain('"/keys/missing.pem"');
    expect(error.problems[0]?.message).toContain(`(${shown})`);
    expect(error.problems[0]?.message).toContain('.pem file downloaded from the App settings page');
  });

  it('a file that holds no private key is refused under PRIVATE_KEY_PATH', () => {
    const error = configErrorOf(envWithPath('/keys/public.pem'), () => PUBLIC_PEM);
    expect(error.problems).toStrictEqual([
      {
        variable: 'PRIVATE_KEY_PATH',
        message: expect.stringContaining('is not a PEM private key'),
      },
    ]);
  });

  describe('with the default readFile (the real file system)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'load-config-'));
    const keyFile = join(dir, 'app.pem');
    writeFileSync(keyFile, PEM);
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it('reads a real .pem file', () => {
      expect(loadConfig(envWithPath(keyFile)).github.privateKey).toBe(PEM);
    });

    it('reports ENOENT for a file that does not exist', () => {
      let error: unknown;
      try {
        loadConfig(envWithPath(join(dir, 'absent.pem')));
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).problems[0]?.message).toContain('(ENOENT)');
    });
  });
});

describe('maskConfig', () => {
  const secrets = {
    PRIVATE_KEY: PEM.replace(/\n/g, '\\n'),
    WEBHOOK_SECRET: 'whsec-very-secret-value-123',
    MODAL_TOKEN_SECRET: 'as-modal-secret-456',
    STATUS_TOKEN: 'status-token-0123456789abcdef',
  };
  const config = load({ ...secrets, MODAL_TOKEN_ID: 'ak-public-id-789' });
  const dump = JSON.stringify(maskConfig(config));

  it.each([
    ['the PEM as loaded', PEM],
    ['the PEM as given (escaped)', secrets.PRIVATE_KEY],
    ['a line of the key body', PEM_BODY_LINE],
    ['the PEM header', 'PRIVATE KEY-----'],
    ['WEBHOOK_SECRET', secrets.WEBHOOK_SECRET],
    ['MODAL_TOKEN_SECRET', secrets.MODAL_TOKEN_SECRET],
    ['STATUS_TOKEN', secrets.STATUS_TOKEN],
  ])('the dump never contains %s', (_name, value) => {
    expect(dump).not.toContain(value);
  });

  it('shows that the secrets are set, and keeps what is not secret', () => {
    const masked = JSON.parse(dump) as {
      github: Record<string, unknown>;
      modal: Record<string, unknown>;
      runners: { classes: Record<string, unknown> };
    };
    expect(masked.github.privateKey).toBe('***');
    expect(masked.github.webhookSecret).toBe('***');
    expect(masked.modal.tokenSecret).toBe('***');
    expect(masked.github.appId).toBe(12345);
    expect(masked.modal.tokenId).toBe('ak-public-id-789');
    // The classes Map would print as {} in JSON; the dump shows them.
    expect(masked.runners.classes).toStrictEqual({
      modal: { name: 'modal', cpu: 2, memoryMiB: 8192 },
    });
  });

  it('leaves an unset Modal token secret unset rather than pretending it is set', () => {
    const masked = maskConfig(load()) as { modal: { tokenSecret: unknown } };
    expect(masked.modal.tokenSecret).toBeUndefined();
  });

  it('does not change the configuration it masks', () => {
    expect(config.github.privateKey).toBe(PEM);
    expect(config.github.webhookSecret).toBe(secrets.WEBHOOK_SECRET);
    expect(config.modal.tokenSecret).toBe(secrets.MODAL_TOKEN_SECRET);
    expect(config.runners.classes).toBeInstanceOf(Map);
  });
});

describe('secrets stay out of configuration errors', () => {
  it.each<[string, Env, string]>([
    ['a bad PRIVATE_KEY', { PRIVATE_KEY: 'hunter2-not-a-pem' }, 'hunter2'],
    [
      'MODAL_TOKEN_SECRET without its id',
      { MODAL_TOKEN_SECRET: 'as-leaky-secret' },
      'as-leaky-secret',
    ],
    [
      'WEBHOOK_SECRET next to a bad APP_ID',
      { APP_ID: 'x', WEBHOOK_SECRET: 'whsec-leaky-0123456789' },
      'whsec-leaky-0123456789',
    ],
    ['a WEBHOOK_SECRET too short', { WEBHOOK_SECRET: 'whsec-leak9' }, 'whsec-leak9'],
    ['a STATUS_TOKEN too short', { STATUS_TOKEN: 'tok-leak9' }, 'tok-leak9'],
  ])('%s', (_name, overrides, secret) => {
    const error = configErrorOf({ ...BASE, ...overrides });
    expect(error.message).not.toContain(secret);
    expect(JSON.stringify(error.problems)).not.toContain(secret);
  });
});

describe('ConfigError', () => {
  it('lists every problem, one per line, and is an Error', () => {
    const error = new ConfigError([
      { variable: 'A', message: 'is wrong' },
      { variable: 'B', message: 'is worse' },
    ]);
    expect(error).toBeInstanceOf(Error);
    expect(error.message.split('\n')).toStrictEqual([
      'Invalid configuration:',
      '  - A: is wrong',
      '  - B: is worse',
      'Fix the variables above (see .env.example and DEPLOY.md) and start again.',
    ]);
  });
});

describe('hasAppCredentials', () => {
  it.each<[string, Env, boolean]>([
    ['APP_ID and PRIVATE_KEY', { APP_ID: '1', PRIVATE_KEY: PEM }, true],
    ['APP_ID and PRIVATE_KEY_PATH', { APP_ID: '1', PRIVATE_KEY_PATH: '/k.pem' }, true],
    ['nothing', {}, false],
    ['APP_ID only', { APP_ID: '1' }, false],
    ['PRIVATE_KEY only', { PRIVATE_KEY: PEM }, false],
    ['empty APP_ID', { APP_ID: '', PRIVATE_KEY: PEM }, false],
    ['empty key and path', { APP_ID: '1', PRIVATE_KEY: '', PRIVATE_KEY_PATH: '' }, false],
    ['WEBHOOK_SECRET is not a credential', { WEBHOOK_SECRET: 'x' }, false],
  ])('%s → %s', (_name, env, expected) => {
    expect(hasAppCredentials(env)).toBe(expected);
  });
});
