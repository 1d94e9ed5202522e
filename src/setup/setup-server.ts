import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import type { SetupConfig } from '../config/setup-config.js';
import { errorFields } from '../domain/error-fields.js';
import { buildAppManifest } from './app-manifest.js';
import { convertManifestCode, ManifestConversionError } from './convert-manifest-code.js';
import { renderSetupPage } from './render-setup-page.js';
import { chooseWebhookTarget, describeWebhookTarget } from './webhook-target.js';

export interface SetupServerDeps {
  readonly config: SetupConfig;
  /** The text of app.yml. */
  readonly manifestYaml: string;
  readonly log: Logger;
  readonly fetch: typeof fetch;
  /** Stores the new App's credentials (in .env). */
  readonly saveCredentials: (values: Readonly<Record<string, string>>) => void;
  /** The manifest flow's `state`, random by default: a callback without it is refused. */
  readonly state?: string;
}

export interface SetupServer {
  /** http://<loopback address>:<port> */
  readonly url: string;
  close(): Promise<void>;
}

const CALLBACK_PATH = '/setup/callback';

function send(res: ServerResponse, status: number, type: string, body: string, headers = {}) {
  res
    .writeHead(status, { 'content-type': type, 'cache-control': 'no-store', ...headers })
    .end(body);
}

/**
 * The setup page, served while the App has no credentials: on a loopback address only, so that
 * nobody else can register an App through it. GET / shows what will be registered and where;
 * GitHub sends the browser back to /setup/callback with a one-time code, which becomes .env's
 * credentials. /healthz answers 200 (the process is healthy, only not configured) and /readyz
 * 503 (it takes no webhooks yet).
 */
export async function startSetupServer(deps: SetupServerDeps): Promise<SetupServer> {
  const { config, log } = deps;
  const state = deps.state ?? randomBytes(16).toString('hex');
  const target = chooseWebhookTarget(config);
  const createAppUrl = `${config.githubUrl}${config.org ? `/organizations/${encodeURIComponent(config.org)}` : ''}/settings/apps/new?state=${state}`;
  let registered = false;

  const page = (req: IncomingMessage, res: ServerResponse) => {
    const manifest = buildAppManifest({
      manifestYaml: deps.manifestYaml,
      hookUrl: target.url,
      redirectUrl: `http://${req.headers.host ?? `localhost:${config.port}`}${CALLBACK_PATH}`,
    });
    const html = renderSetupPage({
      manifest,
      createAppUrl,
      org: config.org,
      webhookNote: describeWebhookTarget(target, config.webhookPath),
    });
    send(res, 200, 'text/html; charset=utf-8', html, {
      'content-security-policy': `default-src 'none'; style-src 'unsafe-inline'; form-action ${config.githubUrl}; frame-ancestors 'none'`,
    });
  };

  const callback = async (url: URL, res: ServerResponse) => {
    const code = url.searchParams.get('code');
    if (url.searchParams.get('state') !== state || !code) {
      send(
        res,
        400,
        'text/plain',
        'This registration did not start from this setup page: open / and register again.\n',
      );
      return;
    }
    try {
      const app = await convertManifestCode({
        apiBaseUrl: config.apiBaseUrl,
        code,
        fetch: deps.fetch,
      });
      deps.saveCredentials({
        APP_ID: String(app.id),
        PRIVATE_KEY: app.pem,
        WEBHOOK_SECRET: app.webhookSecret,
      });
      registered = true;
      log.info(
        { appId: app.id, slug: app.slug, owner: app.owner },
        `GitHub App "${app.slug}" registered${app.owner ? ` on ${app.owner}` : ''}; APP_ID, PRIVATE_KEY and WEBHOOK_SECRET written to .env. Install it on the organization in the browser, add MODAL_TOKEN_ID and MODAL_TOKEN_SECRET to .env, then restart the server (Ctrl-C, npm start).`,
      );
      const next = app.htmlUrl ? `${app.htmlUrl}/installations/new` : '/';
      send(res, 302, 'text/plain', `Registered. Install the App: ${next}\n`, { location: next });
    } catch (error) {
      log.error({ err: errorFields(error) }, 'the App could not be registered');
      const message =
        error instanceof ManifestConversionError ? error.message : 'see the server log';
      send(res, 502, 'text/plain', `The App could not be registered: ${message}\n`);
    }
  };

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (req.method !== 'GET') return send(res, 405, 'text/plain', 'Method not allowed\n');
    if (url.pathname === '/healthz') {
      return send(res, 200, 'application/json', '{"status":"setup"}\n');
    }
    if (url.pathname === '/readyz') {
      return send(res, 503, 'application/json', '{"status":"setup","ready":false}\n');
    }
    if (url.pathname === '/' || url.pathname === '/setup') {
      if (registered) {
        return send(res, 200, 'text/plain', 'The App is registered: restart the server.\n');
      }
      return page(req, res);
    }
    if (url.pathname === CALLBACK_PATH) return void callback(url, res);
    return send(res, 404, 'text/plain', 'Not found: the server is in setup mode, see /\n');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `http://${host}:${address.port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
