import { readFileSync } from 'node:fs';
import type { Logger } from 'pino';
import type { SetupConfig } from '../config/setup-config.js';
import { buildAppManifest } from './app-manifest.js';
import { accountSentence } from './render-setup-page.js';
import { startSetupServer, type SetupServer } from './setup-server.js';
import { chooseWebhookTarget, describeWebhookTarget } from './webhook-target.js';

/** app.yml beside src/ and dist/: the package's manifest, wherever the server is started. */
export const APP_MANIFEST_URL = new URL('../../app.yml', import.meta.url);

/**
 * Setup mode (no App credentials yet): serves the setup page on a loopback address and says in
 * the log which account the App will be registered on and where its webhooks will go.
 */
export async function startSetup(options: {
  readonly config: SetupConfig;
  readonly log: Logger;
  readonly saveCredentials: (values: Readonly<Record<string, string>>) => void;
  readonly fetch?: typeof fetch;
  readonly manifestYaml?: string;
}): Promise<SetupServer> {
  const { config, log } = options;
  const manifestYaml = options.manifestYaml ?? readFileSync(APP_MANIFEST_URL, 'utf8');
  const target = chooseWebhookTarget(config);
  // Parsed once here so that a broken app.yml stops the start, not the first page view.
  const manifest = buildAppManifest({ manifestYaml, hookUrl: target.url, redirectUrl: '' });
  if (config.ignoredHost !== undefined) {
    log.warn(
      `HOST=${config.ignoredHost} is not used in setup mode: the setup page listens on ${config.host} only, so that nobody else can register an App through it. Open it on this machine (or through a tunnel: ssh -L ${config.port}:localhost:${config.port} <this host>).`,
    );
  }
  const server = await startSetupServer({
    config,
    manifestYaml,
    log,
    fetch: options.fetch ?? globalThis.fetch,
    saveCredentials: options.saveCredentials,
  });
  const pageUrl = `http://localhost:${new URL(server.url).port}`;
  log.info(
    `Setup mode: no GitHub App is configured (APP_ID and PRIVATE_KEY or PRIVATE_KEY_PATH). Open ${pageUrl} to register one from app.yml.`,
  );
  log.info(accountSentence(config.org, manifest.public));
  if (target.kind === 'local') log.warn(describeWebhookTarget(target, config.webhookPath));
  else log.info(describeWebhookTarget(target, config.webhookPath));
  return server;
}
