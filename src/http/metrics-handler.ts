import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Registry } from 'prom-client';
import { createTokenCheck } from './token-check.js';

/**
 * `GET /metrics` in Prometheus' text format. With a token (METRICS_TOKEN) it answers only
 * requests that carry it, as a bearer token or as the Basic auth password; without one it is
 * open, for scrapers on an internal network.
 */
export function createMetricsHandler(options: {
  readonly registry: Registry;
  readonly token: string | undefined;
}) {
  const accepts = options.token === undefined ? undefined : createTokenCheck(options.token);
  return async (req: IncomingMessage, res: ServerResponse): Promise<boolean> => {
    const path = (req.url ?? '').split('?')[0];
    if (path !== '/metrics' || req.method !== 'GET') return false;
    if (accepts !== undefined && !accepts(req)) {
      res.writeHead(401, {
        'content-type': 'text/plain; charset=utf-8',
        'www-authenticate': 'Basic realm="modal-github-runner metrics", charset="UTF-8"',
        'cache-control': 'no-store',
      });
      res.end(
        'Unauthorized: send the METRICS_TOKEN as "Authorization: Bearer <token>" (Prometheus: authorization.credentials) or as the Basic auth password.\n',
      );
      return true;
    }
    try {
      const body = await options.registry.metrics();
      res.writeHead(200, {
        'content-type': options.registry.contentType,
        'cache-control': 'no-store',
      });
      res.end(body);
    } catch {
      res.writeHead(500, { 'content-type': 'text/plain' });
      res.end('metrics collection failed\n');
    }
    return true;
  };
}
