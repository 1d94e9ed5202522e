import type { Logger } from 'pino';
import type { Config } from '../config/config.js';
import {
  startWebhookProxy,
  type SmeeClientConstructor,
  type WebhookProxy,
} from './webhook-proxy.js';

/**
 * With WEBHOOK_PROXY_URL, forwards the channel's deliveries to the webhook path of the server
 * listening at `host:port`; without it, nothing.
 */
export async function proxyToServer(
  config: Config,
  listening: { readonly host: string; readonly port: number },
  log: Logger,
  loadClient?: () => Promise<SmeeClientConstructor>,
): Promise<WebhookProxy | undefined> {
  if (!config.server.webhookProxyUrl) return undefined;
  return startWebhookProxy({
    source: config.server.webhookProxyUrl,
    target: `${loopbackUrl(listening.host, listening.port)}${config.github.webhookPath}`,
    log: log.child({ name: 'webhook-proxy' }),
    ...(loadClient ? { loadClient } : {}),
  });
}

/** The server's URL on this machine: a wildcard bind is reached through loopback. */
function loopbackUrl(host: string, port: number): string {
  if (host === '0.0.0.0') return `http://127.0.0.1:${port}`;
  if (host === '[::]') return `http://[::1]:${port}`;
  return `http://${host}:${port}`;
}
