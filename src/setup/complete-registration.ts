import type { ServerResponse } from 'node:http';
import { errorFields } from '../domain/error-fields.js';
import { convertManifestCode, ManifestConversionError } from './convert-manifest-code.js';
import { send } from './send-response.js';
import type { SetupContext } from './setup-context.js';

/**
 * GitHub's redirect after the App was created: the one-time code becomes the App's credentials,
 * saved to .env, and the browser goes on to install the App. A callback without our `state` is
 * refused.
 */
export async function completeRegistration(
  ctx: SetupContext,
  url: URL,
  res: ServerResponse,
): Promise<void> {
  const { config, log } = ctx.deps;
  const code = url.searchParams.get('code');
  if (url.searchParams.get('state') !== ctx.state || !code) {
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
      fetch: ctx.deps.fetch,
    });
    ctx.deps.saveCredentials({
      APP_ID: String(app.id),
      PRIVATE_KEY: app.pem,
      WEBHOOK_SECRET: app.webhookSecret,
    });
    ctx.registered = true;
    log.info(
      { appId: app.id, slug: app.slug, owner: app.owner },
      `GitHub App "${app.slug}" registered${app.owner ? ` on ${app.owner}` : ''}; APP_ID, PRIVATE_KEY and WEBHOOK_SECRET written to .env. Install it on the organization in the browser, add MODAL_TOKEN_ID and MODAL_TOKEN_SECRET to .env, then restart the server (Ctrl-C, npm start).`,
    );
    const next = app.htmlUrl ? `${app.htmlUrl}/installations/new` : '/';
    send(res, 302, 'text/plain', `Registered. Install the App: ${next}\n`, { location: next });
  } catch (error) {
    log.error({ err: errorFields(error) }, 'the App could not be registered');
    const message = error instanceof ManifestConversionError ? error.message : 'see the server log';
    send(res, 502, 'text/plain', `The App could not be registered: ${message}\n`);
  }
}
