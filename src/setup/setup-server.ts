import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { routeSetupRequest } from './route-setup-request.js';
import type { SetupContext, SetupServerDeps } from './setup-context.js';
import { chooseWebhookTarget } from './webhook-target.js';

export interface SetupServer {
  /** http://<loopback address>:<port> */
  readonly url: string;
  close(): Promise<void>;
}

/**
 * The setup page, served while the App has no credentials: on a loopback address only, so that
 * nobody else can register an App through it. GET / shows what will be registered and where;
 * GitHub sends the browser back to /setup/callback with a one-time code, which becomes .env's
 * credentials. /healthz answers 200 (the process is healthy, only not configured) and /readyz
 * 503 (it takes no webhooks yet).
 */
export async function startSetupServer(deps: SetupServerDeps): Promise<SetupServer> {
  const { config } = deps;
  const state = deps.state ?? randomBytes(16).toString('hex');
  const ctx: SetupContext = {
    deps,
    state,
    target: chooseWebhookTarget(config),
    createAppUrl: `${config.githubUrl}${config.org ? `/organizations/${encodeURIComponent(config.org)}` : ''}/settings/apps/new?state=${state}`,
    registered: false,
  };
  const server = createServer((req, res) => routeSetupRequest(ctx, req, res));
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
