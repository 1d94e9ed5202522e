import type { SetupConfig } from '../config/setup-config.js';

/** Where the registered App will send its webhooks, and whether GitHub can get there. */
export type WebhookTarget =
  | { readonly kind: 'proxy'; readonly url: string }
  | { readonly kind: 'public'; readonly url: string }
  | { readonly kind: 'local'; readonly url: string };

/**
 * The webhook URL for the manifest: the proxy channel (WEBHOOK_PROXY_URL, which the server
 * forwards to WEBHOOK_PATH), else the public URL (WEBHOOK_URL), else this machine's URL of
 * WEBHOOK_PATH, which GitHub cannot reach and which must be changed after registering.
 */
export function chooseWebhookTarget(config: SetupConfig): WebhookTarget {
  if (config.webhookProxyUrl) return { kind: 'proxy', url: config.webhookProxyUrl };
  if (config.webhookUrl) return { kind: 'public', url: config.webhookUrl };
  return { kind: 'local', url: `http://localhost:${config.port}${config.webhookPath}` };
}

/** One sentence for the log and the page: where deliveries will go, and what to do about it. */
export function describeWebhookTarget(target: WebhookTarget, webhookPath: string): string {
  switch (target.kind) {
    case 'proxy':
      return `The App's webhook URL will be the proxy channel ${target.url} (WEBHOOK_PROXY_URL); once the App is configured the server forwards its deliveries to ${webhookPath}.`;
    case 'public':
      return `The App's webhook URL will be ${target.url} (WEBHOOK_URL).`;
    case 'local':
      return `The App's webhook URL will be ${target.url}, which GitHub cannot reach: right after registering, set "Webhook URL" in the App's settings to https://<your public host>${webhookPath} (or set WEBHOOK_URL, or WEBHOOK_PROXY_URL for a laptop, before registering).`;
  }
}
