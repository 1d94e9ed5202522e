/**
 * Setup mode: the page that registers the GitHub App when none is configured, over real HTTP,
 * with GitHub's manifest conversion answered by a fake on loopback.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseEnv } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pino from 'pino';
import { loadSetupConfig, type SetupConfig } from '../../src/config/setup-config.js';
import { buildAppManifest } from '../../src/setup/app-manifest.js';
import { updateEnvFile } from '../../src/setup/env-file.js';
import { startSetupServer, type SetupServer } from '../../src/setup/setup-server.js';
import { chooseWebhookTarget } from '../../src/setup/webhook-target.js';
import { eventually, freePort, LogCapture } from '../../sim/harness.js';

const appYml = readFileSync('app.yml', 'utf8');
const dirs: string[] = [];
const freshDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'setup-'));
  dirs.push(dir);
  return dir;
};
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('the setup configuration', () => {
  it('binds the setup page to loopback whatever HOST says, and remembers what it ignored', () => {
    expect(loadSetupConfig({ HOST: '0.0.0.0' })).toMatchObject({
      host: '127.0.0.1',
      ignoredHost: '0.0.0.0',
    });
    expect(loadSetupConfig({ HOST: '192.168.1.5' })).toMatchObject({
      host: '127.0.0.1',
      ignoredHost: '192.168.1.5',
    });
    expect(loadSetupConfig({ HOST: '::1' })).toMatchObject({ host: '::1', ignoredHost: undefined });
    expect(loadSetupConfig({})).toMatchObject({ host: 'localhost', port: 3000, org: undefined });
  });

  it('reads GH_ORG, the webhook URLs and GitHub Enterprise', () => {
    expect(
      loadSetupConfig({
        GH_ORG: 'acme',
        WEBHOOK_URL: 'https://runners.acme.dev/api/github/webhooks',
        GHE_HOST: 'github.acme.dev',
      }),
    ).toMatchObject({
      org: 'acme',
      webhookUrl: 'https://runners.acme.dev/api/github/webhooks',
      githubUrl: 'https://github.acme.dev',
      apiBaseUrl: 'https://github.acme.dev/api/v3',
    });
    expect(() => loadSetupConfig({ GH_ORG: 'not an org' })).toThrow(
      /GH_ORG: must be an organization login/,
    );
    expect(() => loadSetupConfig({ WEBHOOK_URL: 'ftp://x' })).toThrow(/WEBHOOK_URL/);
  });
});

describe('the manifest', () => {
  const config = (env: Record<string, string>) => loadSetupConfig({ PORT: '3000', ...env });

  it('registers the webhook on the proxy channel, else the public URL, else the local path', () => {
    expect(
      chooseWebhookTarget(
        config({ WEBHOOK_PROXY_URL: 'https://smee.io/abc', WEBHOOK_URL: 'https://x.dev/h' }),
      ),
    ).toEqual({
      kind: 'proxy',
      url: 'https://smee.io/abc',
    });
    expect(chooseWebhookTarget(config({ WEBHOOK_URL: 'https://x.dev/hooks' }))).toEqual({
      kind: 'public',
      url: 'https://x.dev/hooks',
    });
    // Not the bare http://localhost:3000/ Probot registered: the path the server serves.
    expect(chooseWebhookTarget(config({ WEBHOOK_PATH: '/gh' }))).toEqual({
      kind: 'local',
      url: 'http://localhost:3000/gh',
    });
    expect(chooseWebhookTarget(config({})).url).toBe('http://localhost:3000/api/github/webhooks');
  });

  it('is app.yml with the webhook URL and the callback filled in', () => {
    const manifest = buildAppManifest({
      manifestYaml: appYml,
      hookUrl: 'https://x.dev/api/github/webhooks',
      redirectUrl: 'http://localhost:3000/setup/callback',
    });
    expect(manifest).toMatchObject({
      name: 'modal-github-runner',
      public: false,
      default_events: ['workflow_job'],
      default_permissions: {
        actions: 'read',
        organization_self_hosted_runners: 'write',
        metadata: 'read',
      },
      hook_attributes: { url: 'https://x.dev/api/github/webhooks' },
      redirect_url: 'http://localhost:3000/setup/callback',
    });
  });
});

describe('updateEnvFile', () => {
  it('replaces the keys, keeps every other line, appends the rest, and leaves the file 0600', () => {
    const path = join(freshDir(), '.env');
    writeFileSync(
      path,
      '# a comment\nAPP_ID=\nPRIVATE_KEY="-----BEGIN\nold\n-----END"\nMAX_RUNNERS=5\n',
      { mode: 0o644 },
    );
    const pem = '-----BEGIN RSA PRIVATE KEY-----\nMIIE\n-----END RSA PRIVATE KEY-----\n';
    updateEnvFile(path, { APP_ID: '123', PRIVATE_KEY: pem, WEBHOOK_SECRET: 'abc123' });
    const text = readFileSync(path, 'utf8');
    expect(text.split('\n')).toEqual([
      '# a comment',
      'APP_ID=123',
      `PRIVATE_KEY="${pem.replace(/\n/g, '\\n')}"`,
      'MAX_RUNNERS=5',
      'WEBHOOK_SECRET=abc123',
      '',
    ]);
    expect(parseEnv(text)).toEqual({
      APP_ID: '123',
      PRIVATE_KEY: pem,
      MAX_RUNNERS: '5',
      WEBHOOK_SECRET: 'abc123',
    });
    expect(statSync(path).mode & 0o777).toBe(0o600);
  });
});

/** GitHub's POST /app-manifests/{code}/conversions on loopback. */
async function fakeConversions(): Promise<{ url: string; codes: string[]; server: Server }> {
  const codes: string[] = [];
  const server = createServer((req, res) => {
    const code = /^\/app-manifests\/([^/]+)\/conversions$/.exec(req.url ?? '')?.[1];
    if (req.method !== 'POST' || code === undefined) return void res.writeHead(404).end();
    codes.push(code);
    if (code !== 'good-code') {
      res.writeHead(404, { 'content-type': 'application/json' }).end('{"message":"Not Found"}');
      return;
    }
    res.writeHead(201, { 'content-type': 'application/json' }).end(
      JSON.stringify({
        id: 424242,
        slug: 'modal-github-runner-acme',
        html_url: 'https://github.com/apps/modal-github-runner-acme',
        owner: { login: 'acme' },
        pem: '-----BEGIN RSA PRIVATE KEY-----\nKEY\n-----END RSA PRIVATE KEY-----\n',
        webhook_secret: 'secret-from-github',
        client_id: 'Iv1.x',
        client_secret: 'client-secret',
      }),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, codes, server };
}

describe('the setup page over HTTP', () => {
  let github: Awaited<ReturnType<typeof fakeConversions>>;
  let server: SetupServer;
  let config: SetupConfig;
  const saved: Record<string, string>[] = [];
  const logs = new LogCapture();

  beforeAll(async () => {
    github = await fakeConversions();
    config = {
      ...loadSetupConfig({
        HOST: '0.0.0.0',
        PORT: String(await freePort()),
        GH_ORG: 'acme',
        WEBHOOK_URL: 'https://runners.acme.dev/api/github/webhooks',
      }),
      apiBaseUrl: github.url,
    };
    server = await startSetupServer({
      config,
      manifestYaml: appYml,
      log: pino(logs.stream),
      fetch: globalThis.fetch,
      saveCredentials: (values) => saved.push({ ...values }),
      state: 'state-0123',
    });
  });
  afterAll(async () => {
    await server.close();
    github.server.closeAllConnections();
    await new Promise((resolve) => github.server.close(resolve));
  });

  it('listens on loopback only, though HOST=0.0.0.0', async () => {
    expect(new URL(server.url).hostname).toBe('127.0.0.1');
    const external = Object.values(networkInterfaces())
      .flat()
      .find((a) => a !== undefined && a.family === 'IPv4' && !a.internal);
    if (external) {
      await expect(fetch(`http://${external.address}:${config.port}/healthz`)).rejects.toThrow();
    }
  });

  it('says which account the App is registered on and posts the manifest there', async () => {
    const response = await fetch(`${server.url}/`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-security-policy')).toContain(
      'form-action https://github.com',
    );
    const html = await response.text();
    expect(html).toContain('The App will be registered on the organization acme (GH_ORG)');
    expect(html).toContain(
      'action="https://github.com/organizations/acme/settings/apps/new?state=state-0123"',
    );
    const manifestJson = /name="manifest" value="([^"]*)"/.exec(html)?.[1] ?? '';
    const manifest = JSON.parse(
      manifestJson
        .replace(/&quot;/g, '"')
        .replace(/&#39;/g, "'")
        .replace(/&amp;/g, '&'),
    ) as Record<string, unknown>;
    expect(manifest.hook_attributes).toEqual({
      url: 'https://runners.acme.dev/api/github/webhooks',
    });
    expect(manifest.redirect_url).toBe(`${server.url}/setup/callback`);
    expect(html).not.toContain('<script');
  });

  it('answers health checks while in setup: healthy, not ready', async () => {
    const health = await fetch(`${server.url}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: 'setup' });
    expect((await fetch(`${server.url}/readyz`)).status).toBe(503);
  });

  it('refuses a callback that did not start here, and an expired code', async () => {
    const foreign = await fetch(`${server.url}/setup/callback?code=good-code&state=someone-else`, {
      redirect: 'manual',
    });
    expect(foreign.status).toBe(400);
    expect(github.codes).toEqual([]);
    const expired = await fetch(`${server.url}/setup/callback?code=old-code&state=state-0123`, {
      redirect: 'manual',
    });
    expect(expired.status).toBe(502);
    expect(await expired.text()).toContain('a code works once and for an hour');
    expect(saved).toEqual([]);
  });

  it("turns GitHub's code into .env credentials and sends the browser to install the App", async () => {
    const response = await fetch(`${server.url}/setup/callback?code=good-code&state=state-0123`, {
      redirect: 'manual',
    });
    expect(response.status).toBe(302);
    expect(response.headers.get('location')).toBe(
      'https://github.com/apps/modal-github-runner-acme/installations/new',
    );
    expect(saved).toEqual([
      {
        APP_ID: '424242',
        PRIVATE_KEY: '-----BEGIN RSA PRIVATE KEY-----\nKEY\n-----END RSA PRIVATE KEY-----\n',
        WEBHOOK_SECRET: 'secret-from-github',
      },
    ]);
    expect(logs.text).toContain('GitHub App \\"modal-github-runner-acme\\" registered on acme');
    expect(logs.text).not.toContain('secret-from-github');
    expect(logs.text).not.toContain('KEY\\n');
  });
});

describe('npm start without an App', () => {
  it('logs which account and webhook URL it will register, serves /healthz on loopback, and stops on SIGTERM', async () => {
    const port = await freePort();
    const cwd = freshDir(); // no .env here
    const child = spawn(
      process.execPath,
      [
        '--import',
        pathToFileURL(join(process.cwd(), 'node_modules/tsx/dist/loader.mjs')).href,
        join(process.cwd(), 'src/cli.ts'),
        'serve',
      ],
      {
        cwd,
        env: {
          PATH: process.env.PATH,
          HOME: process.env.HOME,
          PORT: String(port),
          HOST: '0.0.0.0',
          LOG_FORMAT: 'json',
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (out += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    try {
      await eventually(
        () => out.includes('Setup mode'),
        () => `no setup log:\n${out}`,
        30_000,
      );
      const lines = out
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l) as { level: number; msg: string });
      const msg = (needle: string) => lines.find((l) => l.msg.includes(needle));
      expect(msg(`Open http://localhost:${port} to register one from app.yml`)).toBeDefined();
      expect(msg('HOST=0.0.0.0 is not used in setup mode')?.level).toBe(40);
      expect(msg('registered on your personal GitHub account (GH_ORG is not set)')?.msg).toContain(
        'never on an organization',
      );
      expect(
        msg(`http://localhost:${port}/api/github/webhooks, which GitHub cannot reach`)?.level,
      ).toBe(40);
      const health = await fetch(`http://127.0.0.1:${port}/healthz`);
      expect(health.status).toBe(200);
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
  }, 60_000);
});
