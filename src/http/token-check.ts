import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest();

/**
 * The token from `Authorization: Bearer <token>` (CLI, curl, Prometheus) or from HTTP Basic
 * auth with the token as password and any user name (browsers prompt for it). Never from the
 * query string, which ends up in access logs and browser history.
 */
function presentedToken(header: string | undefined): string | undefined {
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
 * Whether a request carries `token` (see `presentedToken`). Compared as SHA-256 digests in
 * constant time, so neither the length nor the content leaks through timing.
 */
export function createTokenCheck(token: string): (req: IncomingMessage) => boolean {
  const expected = digest(token);
  return (req) => {
    const presented = presentedToken(req.headers.authorization);
    return presented !== undefined && timingSafeEqual(digest(presented), expected);
  };
}
