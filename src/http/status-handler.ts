import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { renderStatusHtml } from '../status/render-status-html.js';
import type { StatusSnapshot } from '../status/status-snapshot.js';

/** Scripts cannot run on the page; styles are inline; nothing is loaded from elsewhere. */
const SECURITY_HEADERS = {
  'content-security-policy':
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'cache-control': 'no-store',
} as const;

const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest();

/**
 * The token from `Authorization: Bearer <token>` (CLI, curl, Prometheus-style tooling) or from
 * HTTP Basic auth with the token as password and any user name (browsers prompt for it). Never
 * from the query string, which ends up in access logs and browser history.
 */
export function presentedToken(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const [scheme, value = ''] = header.trim().split(/\s+/, 2);
  if (/^bearer$/i.test(scheme ?? '')) return value;
  if (/^basic$/i.test(scheme ?? '')) {
    const decoded = Buffer.from(value, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    return colon === -1 ? undefined : decoded.slice(colon + 1);
  }
  return undefined;
}

/**
 * `GET /status` (HTML) and `GET /status.json`, behind STATUS_TOKEN. Without a token configured
 * both answer 404 and say how to turn them on.
 */
export function createStatusHandler(options: {
  readonly token: string | undefined;
  readonly snapshot: () => Promise<StatusSnapshot>;
  readonly onError?: (error: unknown) => void;
}) {
  const expected = options.token === undefined ? undefined : digest(options.token);
  return async (req: IncomingMessage, res: ServerResponse): Promise<boolean> => {
    const path = (req.url ?? '').split('?')[0];
    if (path !== '/status' && path !== '/status.json') return false;
    const json = path === '/status.json';
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD', ...SECURITY_HEADERS });
      res.end();
      return true;
    }
    if (expected === undefined) {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8', ...SECURITY_HEADERS });
      res.end(
        'The status page is disabled: set STATUS_TOKEN to enable /status and /status.json.\n',
      );
      return true;
    }
    const presented = presentedToken(req.headers.authorization);
    if (presented === undefined || !timingSafeEqual(digest(presented), expected)) {
      res.writeHead(401, {
        'content-type': 'text/plain; charset=utf-8',
        'www-authenticate': 'Basic realm="modal-github-runner status", charset="UTF-8"',
        ...SECURITY_HEADERS,
      });
      res.end(
        'Unauthorized: send the STATUS_TOKEN as "Authorization: Bearer <token>", or as the password when the browser asks.\n',
      );
      return true;
    }
    let snapshot: StatusSnapshot;
    try {
      snapshot = await options.snapshot();
    } catch (error) {
      options.onError?.(error);
      res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8', ...SECURITY_HEADERS });
      res.end('The status could not be read; see the server log.\n');
      return true;
    }
    const body = json ? JSON.stringify(snapshot) : renderStatusHtml(snapshot);
    res.writeHead(200, {
      'content-type': json ? 'application/json; charset=utf-8' : 'text/html; charset=utf-8',
      ...SECURITY_HEADERS,
    });
    res.end(req.method === 'HEAD' ? undefined : body);
    return true;
  };
}
