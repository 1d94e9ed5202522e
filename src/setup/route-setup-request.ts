import type { IncomingMessage, ServerResponse } from 'node:http';
import { completeRegistration } from './complete-registration.js';
import { send } from './send-response.js';
import { serveSetupPage } from './serve-setup-page.js';
import { CALLBACK_PATH, type SetupContext } from './setup-context.js';

/**
 * The setup server's routes: / (or /setup) the page, /setup/callback GitHub's redirect, /healthz
 * 200 (healthy, only not configured) and /readyz 503 (no webhooks yet). GET only.
 */
export function routeSetupRequest(
  ctx: SetupContext,
  req: IncomingMessage,
  res: ServerResponse,
): void {
  const url = new URL(req.url ?? '/', 'http://localhost');
  if (req.method !== 'GET') return send(res, 405, 'text/plain', 'Method not allowed\n');
  if (url.pathname === '/healthz') {
    return send(res, 200, 'application/json', '{"status":"setup"}\n');
  }
  if (url.pathname === '/readyz') {
    return send(res, 503, 'application/json', '{"status":"setup","ready":false}\n');
  }
  if (url.pathname === '/' || url.pathname === '/setup') {
    if (ctx.registered) {
      return send(res, 200, 'text/plain', 'The App is registered: restart the server.\n');
    }
    return serveSetupPage(ctx, req, res);
  }
  if (url.pathname === CALLBACK_PATH) return void completeRegistration(ctx, url, res);
  return send(res, 404, 'text/plain', 'Not found: the server is in setup mode, see /\n');
}
