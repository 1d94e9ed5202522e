import type { IncomingMessage, ServerResponse } from 'node:http';
import { buildAppManifest } from './app-manifest.js';
import { renderSetupPage } from './render-setup-page.js';
import { send } from './send-response.js';
import { CALLBACK_PATH, type SetupContext } from './setup-context.js';
import { describeWebhookTarget } from './webhook-target.js';

/** GET /: what will be registered and where, with the button that posts the manifest to GitHub. */
export function serveSetupPage(ctx: SetupContext, req: IncomingMessage, res: ServerResponse): void {
  const { config } = ctx.deps;
  const manifest = buildAppManifest({
    manifestYaml: ctx.deps.manifestYaml,
    hookUrl: ctx.target.url,
    redirectUrl: `http://${req.headers.host ?? `localhost:${config.port}`}${CALLBACK_PATH}`,
  });
  const html = renderSetupPage({
    manifest,
    createAppUrl: ctx.createAppUrl,
    org: config.org,
    webhookNote: describeWebhookTarget(ctx.target, config.webhookPath),
  });
  send(res, 200, 'text/html; charset=utf-8', html, {
    'content-security-policy': `default-src 'none'; style-src 'unsafe-inline'; form-action ${config.githubUrl}; frame-ancestors 'none'`,
  });
}
