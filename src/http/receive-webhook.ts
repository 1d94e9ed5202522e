import type { ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { errorFields } from '../domain/error-fields.js';

/** What Probot's `receive` takes: an event whose signature was checked already. */
export type ReceiveEvent = (event: {
  readonly id: string;
  readonly name: string;
  readonly payload: unknown;
}) => Promise<unknown>;

/** GitHub fails a delivery after 10 s; like Probot, answer 202 before that if handlers run on. */
export const WEBHOOK_TIMEOUT_MS = 9_000;

const JSON_CONTENT_TYPE = /^\s*application\/json\s*(?:;|$)/u;

/**
 * Hands a delivery the door has verified to Probot's event handling (`probot.receive`) and
 * answers it as Probot's own middleware does: 200 `ok`, 202 when the handlers are still running
 * after 9 s, the handler's error status (500) with its message otherwise. The signature is
 * checked once (by the door) and the body parsed once, here.
 */
export async function receiveVerified(
  delivery: {
    readonly id: string;
    readonly name: string;
    readonly contentType: string | undefined;
  },
  text: string,
  res: ServerResponse,
  receive: ReceiveEvent,
  log: Logger,
): Promise<void> {
  if (delivery.contentType === undefined || !JSON_CONTENT_TYPE.test(delivery.contentType)) {
    answer(res, 415, {
      error: 'Unsupported "Content-Type" header value. Must be "application/json"',
    });
    return;
  }
  let payload: unknown;
  try {
    payload = JSON.parse(text);
  } catch {
    answer(res, 400, { error: 'Invalid JSON in the webhook body' });
    return;
  }
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    res.writeHead(202, { 'content-type': 'text/plain' }).end('still processing\n');
  }, WEBHOOK_TIMEOUT_MS);
  try {
    await receive({ id: delivery.id, name: delivery.name, payload });
    clearTimeout(timer);
    if (!timedOut) res.writeHead(200, { 'content-type': 'text/plain' }).end('ok\n');
  } catch (error) {
    clearTimeout(timer);
    // @octokit/webhooks gathers the handlers' errors in an AggregateError.
    const first = (error as { errors?: unknown[] }).errors?.[0] ?? error;
    const { type, message, status } = errorFields(first);
    log.error(
      { deliveryId: delivery.id, event: delivery.name, err: errorFields(first) },
      'webhook handler failed',
    );
    if (!timedOut) answer(res, status ?? 500, { error: `${type}: ${message}` });
  }
}

function answer(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}
