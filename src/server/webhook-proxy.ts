import type { Logger } from 'pino';
import { errorFields } from '../domain/error-fields.js';

/** The part of smee-client's SmeeClient this module uses. */
export interface SmeeClientLike {
  start(): Promise<unknown>;
  stop(): Promise<void>;
}
export type SmeeClientConstructor = new (options: {
  source: string;
  target: string;
  logger: Pick<Console, 'info' | 'error'>;
  maxConnectionTimeout?: number;
}) => SmeeClientLike;

export interface WebhookProxy {
  /** True once the channel answered and deliveries are being forwarded. */
  readonly forwarding: boolean;
  close(): Promise<void>;
}

const INSTALL_HINT =
  "smee-client is a development dependency: run the server from a checkout after `npm install` (or `npm install --save-dev smee-client`), or unset WEBHOOK_PROXY_URL and point the App's webhook URL at this server";

/** smee-client rejects with EventSource's error events, which are not Errors. */
function reasonOf(error: unknown): string {
  const message = (error as { message?: unknown } | null)?.message;
  return typeof message === 'string' && message !== '' ? message : String(error);
}

async function importSmeeClient(): Promise<SmeeClientConstructor> {
  const module = (await import('smee-client')) as { SmeeClient: SmeeClientConstructor };
  return module.SmeeClient;
}

/**
 * Forwards the deliveries of a webhook proxy channel (WEBHOOK_PROXY_URL, e.g. smee.io) to this
 * server's webhook path, for development behind a NAT. Says truthfully in the log whether
 * deliveries are forwarded: never a start line that leaves one believing they arrive when
 * smee-client is missing or the channel does not answer. The server runs either way.
 */
export async function startWebhookProxy(options: {
  readonly source: string;
  readonly target: string;
  readonly log: Logger;
  readonly loadClient?: () => Promise<SmeeClientConstructor>;
  readonly connectTimeoutMs?: number;
}): Promise<WebhookProxy> {
  const { source, target, log } = options;
  const notForwarding: WebhookProxy = { forwarding: false, close: async () => {} };
  let SmeeClient: SmeeClientConstructor;
  try {
    SmeeClient = await (options.loadClient ?? importSmeeClient)();
  } catch (error) {
    log.error(
      { err: errorFields(error), webhookProxyUrl: source },
      `WEBHOOK_PROXY_URL is set but smee-client cannot be loaded: deliveries sent to ${source} do NOT reach this server. ${INSTALL_HINT}.`,
    );
    return notForwarding;
  }
  let connected = false;
  const client = new SmeeClient({
    source,
    target,
    maxConnectionTimeout: options.connectTimeoutMs ?? 15_000,
    logger: {
      // Each forwarded delivery ("POST <target> - 200"); the server logs the delivery itself.
      info: (message: unknown) => log.debug({ webhookProxyUrl: source }, String(message)),
      error: (message: unknown, detail?: unknown) => {
        if (!connected) return; // the start's failure is reported once, below
        log.warn(
          { webhookProxyUrl: source, detail: detail === undefined ? undefined : String(detail) },
          `webhook proxy: ${String(message)}; deliveries are not forwarded until it reconnects`,
        );
      },
    },
  });
  try {
    await client.start();
  } catch (error) {
    await client.stop().catch(() => undefined);
    log.error(
      { webhookProxyUrl: source, reason: reasonOf(error) },
      `the webhook proxy channel ${source} did not answer (${reasonOf(error)}): deliveries sent to it do NOT reach this server. Check WEBHOOK_PROXY_URL (create a channel at https://smee.io/new) and restart.`,
    );
    return notForwarding;
  }
  connected = true;
  log.info(
    { webhookProxyUrl: source, target },
    `forwarding webhook deliveries from ${source} to ${target}`,
  );
  return {
    forwarding: true,
    close: () => client.stop(),
  };
}
