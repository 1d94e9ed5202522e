import type { IncomingMessage, ServerResponse } from 'node:http';
import { createTokenCheck } from './token-check.js';
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

/**
 * `GET /status` (HTML) and `GET /status.json`, behind STATUS_TOKEN. Without a token configured
 * both answer 404 and say how to turn them on.
 */
export function createStatusHandler(options: {
  readonly token: string | undefined;
  readonly snapshot: () => Promise<StatusSnapshot>;
  readonly onError?: (error: unknown) => void;
}) {
  const accepts = options.token === undefined ? undefined : createTokenCheck(options.token);
  return async (req: IncomingMessage, res: ServerResponse): Promise<boolean> => {
    const path = (req.url ?? '').split('?')[0];
    if (path !== '/status' && path !== '/status.json') return false;
    const json = path === '/status.json';
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD', ...SECURITY_HEADERS });
      res.end();
      return true;
    }
    if (accepts === undefined) {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8', ...SECURITY_HEADERS });
      res.end(
        'The status page is disabled: set STATUS_TOKEN to enable /status and /status.json.\n',
      );
      return true;
    }
    if (!accepts(req)) {
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
