import { createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { readLimitedBody } from './read-limited-body.js';
import { receiveVerified, type ReceiveEvent } from './receive-webhook.js';

/** GitHub caps webhook payloads at 25 MB; it never sends a larger one. */
export const MAX_WEBHOOK_BODY_BYTES = 25 * 1024 * 1024;

/** A Node middleware in Probot's shape: `true` when it answered the request. */
export type NodeMiddleware = (
  req: IncomingMessage,
  res: ServerResponse,
  next?: () => void,
) => Promise<boolean> | boolean;

export interface WebhookDoorOptions {
  /** `WEBHOOK_PATH`. */
  readonly path: string;
  readonly secret: string;
  readonly log: Logger;
  readonly maxBodyBytes?: number;
}

/**
 * Wraps Probot's webhook middleware with the checks that must come before it reads anything:
 * a body over the limit is refused with 413 as soon as its declared length or its streamed
 * bytes pass it, and a body whose `X-Hub-Signature-256` does not match is refused with 400
 * without reaching Probot, whose error path logs the rejected payload. What passes is handed
 * on as `req.body`, which @octokit/webhooks reads instead of the stream.
 */
export function createWebhookDoor(options: WebhookDoorOptions) {
  const maxBytes = options.maxBodyBytes ?? MAX_WEBHOOK_BODY_BYTES;
  const log = options.log.child({ name: 'webhook-door' });
  /**
   * `receive` is Probot's event handling for verified deliveries (`probot.receive`); without it,
   * a verified delivery goes on to Probot's middleware, which checks the signature and parses
   * the body again.
   */
  return (inner: NodeMiddleware, receive?: ReceiveEvent): NodeMiddleware =>
    async (req, res, next) => {
      if (req.method !== 'POST' || pathOf(req.url) !== trimSlashes(options.path)) {
        return inner(req, res, next);
      }
      const delivery = {
        deliveryId: header(req, 'x-github-delivery'),
        event: header(req, 'x-github-event'),
      };
      const refuseTooLarge = () => {
        log.warn({ ...delivery, limitBytes: maxBytes }, 'webhook body over the limit refused');
        refuseUnread(
          req,
          res,
          413,
          `Payload too large: webhook bodies are at most ${maxBytes} bytes`,
        );
        return true;
      };
      if (Number(req.headers['content-length'] ?? 0) > maxBytes) return refuseTooLarge();
      const signature = req.headers['x-hub-signature-256'];
      if (typeof signature !== 'string' || !signature.startsWith('sha256=')) {
        log.warn(delivery, 'webhook without an X-Hub-Signature-256 signature refused');
        refuseUnread(req, res, 400, 'Missing X-Hub-Signature-256: deliveries must be signed');
        return true;
      }
      const read = await readLimitedBody(req, maxBytes);
      if (!read.ok) {
        if (read.reason === 'too-large') return refuseTooLarge();
        res.destroy();
        return true;
      }
      // @octokit/webhooks decodes the body as UTF-8 and checks the signature over that text:
      // check the same bytes, so that what passes here passes there.
      const text = read.body.toString('utf8');
      if (!signatureMatches(options.secret, text, signature)) {
        log.warn(
          delivery,
          "webhook signature does not match: refused (WEBHOOK_SECRET must equal the App's webhook secret)",
        );
        const error = JSON.stringify({
          error: 'Signature does not match the body and the webhook secret',
        });
        res.writeHead(400, {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(error),
        });
        res.end(error);
        return true;
      }
      const id = header(req, 'x-github-delivery');
      const name = header(req, 'x-github-event');
      if (receive !== undefined && id !== undefined && name !== undefined) {
        const contentType = req.headers['content-type'];
        await receiveVerified({ id, name, contentType }, text, res, receive, log);
        return true;
      }
      (req as IncomingMessage & { body?: string }).body = text;
      return inner(req, res, next);
    };
}

function signatureMatches(secret: string, body: string, signature: string): boolean {
  const expected = Buffer.from(
    `sha256=${createHmac('sha256', secret).update(body, 'utf8').digest('hex')}`,
  );
  const presented = Buffer.from(signature);
  return presented.length === expected.length && timingSafeEqual(presented, expected);
}

/** After a refusal, how much more of the body is read and dropped, and for how long at most. */
const DISCARD_BYTES = 1024 * 1024;
const REFUSAL_GRACE_MS = 3_000;

/**
 * Answers a request whose body is left unread (all of it, or what came past the limit), then
 * closes its connection. Closing at once would reset a connection the client is still sending
 * on, and the reset can destroy the answer before the client reads it (RFC 9112, section 9.6).
 * So the answer is written whole, up to `DISCARD_BYTES` more of the body are read and dropped
 * (a small body ends there, and the connection closes cleanly), then reading stops (the
 * sender stalls, memory holds nothing more) until the grace period ends.
 */
function refuseUnread(req: IncomingMessage, res: ServerResponse, status: number, error: string) {
  const body = JSON.stringify({ error });
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(body),
    connection: 'close',
  });
  res.write(body);
  let discarded = 0;
  const close = () => {
    clearTimeout(timer);
    res.end();
  };
  const timer = setTimeout(close, REFUSAL_GRACE_MS);
  timer.unref();
  res.once('close', () => clearTimeout(timer));
  req.on('data', (chunk: Buffer) => {
    discarded += chunk.length;
    if (discarded > DISCARD_BYTES) req.pause();
  });
  req.once('end', close);
  req.resume();
}

/** A header's value as a short single string: these are the sender's words, not ours. */
function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return typeof value === 'string' ? value.slice(0, 100) : undefined;
}

function trimSlashes(path: string): string {
  return path.replace(/\/+$/, '') || '/';
}

/** The path as @octokit/webhooks matches it (trailing slashes of the whole URL dropped). */
function pathOf(url: string | undefined): string | undefined {
  try {
    return new URL(trimSlashes(url ?? '/'), 'http://localhost').pathname;
  } catch {
    return undefined;
  }
}
