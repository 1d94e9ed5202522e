import { result, type CheckResult } from './check-result.js';
import { translate, type DoctorCheck } from './doctor-context.js';
import { headline } from './doctor-github.js';
import type { GitHubUrls } from './github-urls.js';

/** `GET /app/hook/config`. GitHub shows a set secret as `********`. */
export interface HookConfig {
  readonly url?: string | null;
  readonly content_type?: string | null;
  readonly insecure_ssl?: string | number | null;
  readonly secret?: string | null;
}

export interface WebhookExpectations {
  /** WEBHOOK_PATH: where the server listens. */
  readonly webhookPath: string;
  /** WEBHOOK_PROXY_URL, when deliveries go through a smee.io channel. */
  readonly proxyUrl: string | undefined;
}

/** The App's webhook (`GET /app/hook/config`): URL, path, secret and content type. */
export const webhookCheck: DoctorCheck = {
  topic: 'webhook',
  section: 'Webhook',
  lane: 'github',
  async run(ctx) {
    const facts = ctx.facts.app;
    if (facts === undefined) {
      return [result.skip('Webhook', 'webhook', `skipped: ${ctx.facts.noApp ?? 'no App'}`)];
    }
    const { webhookPath } = ctx.config.github;
    try {
      const data: unknown = (await facts.client.request('GET /app/hook/config')).data;
      const hook = (typeof data === 'object' && data !== null ? data : {}) as HookConfig;
      return evaluateHookConfig(hook, { webhookPath, proxyUrl: ctx.proxyUrl }, facts.urls);
    } catch (error) {
      const failure = translate(ctx, 'get-webhook-config', error);
      return [
        result.fail('Webhook', 'webhook', `GET /app/hook/config failed: ${headline(failure)}`, {
          details: [failure.message],
          fix:
            failure.status === 404
              ? `the App has no webhook: at ${facts.urls.appGeneral} tick "Active" under Webhook, set the Webhook URL (https://<your host>${webhookPath}) and the Webhook secret (WEBHOOK_SECRET)`
              : `check the App's webhook at ${facts.urls.appGeneral}`,
        }),
      ];
    }
  },
};

/** URL, path, secret and content type of the App's webhook. Pure. */
export function evaluateHookConfig(
  hook: HookConfig,
  expect: WebhookExpectations,
  urls: GitHubUrls,
): CheckResult[] {
  return [
    evaluateWebhookUrl(hook, expect, urls),
    evaluateWebhookPath(hook, expect, urls),
    evaluateWebhookSecret(hook, urls),
    evaluateContentType(hook),
  ];
}

const LOCAL_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]', '::1', '0.0.0.0']);

function parse(url: string | null | undefined): URL | undefined {
  if (!url) return undefined;
  try {
    return new URL(url);
  } catch {
    return undefined;
  }
}

/** The URL without credentials (`user:pass@`), safe to print. */
function printable(url: URL): string {
  const copy = new URL(url.href);
  copy.username = '';
  copy.password = '';
  return copy.href;
}

function stripSlash(text: string): string {
  return text.replace(/\/+$/, '');
}

function evaluateWebhookUrl(
  hook: HookConfig,
  expect: WebhookExpectations,
  urls: GitHubUrls,
): CheckResult {
  const name = 'webhook URL';
  const setIt = `set "Webhook URL" at ${urls.appGeneral} to the public URL the webhook should reach: https://<your host>${expect.webhookPath} (WEBHOOK_PATH), or a smee.io channel also set as WEBHOOK_PROXY_URL`;
  const url = parse(hook.url);
  if (url === undefined) {
    return result.fail(
      'Webhook',
      name,
      hook.url
        ? 'the App\u2019s webhook URL is not a valid URL'
        : 'the App has no webhook URL: GitHub delivers nothing',
      { fix: setIt },
    );
  }
  const problems: string[] = [];
  const fixes: string[] = [];
  if (LOCAL_HOSTS.has(url.hostname)) {
    problems.push(`${url.hostname} is this machine: GitHub cannot deliver to it`);
    fixes.push(
      'for local development create a channel on https://smee.io, set it as the Webhook URL and as WEBHOOK_PROXY_URL',
    );
  } else if (url.protocol === 'http:') {
    problems.push('plain http: deliveries (and their signatures) cross the network unencrypted');
    fixes.push(
      `serve the app behind HTTPS and change "Webhook URL" at ${urls.appGeneral} to https://`,
    );
  }
  if (String(hook.insecure_ssl ?? '0') === '1') {
    problems.push('SSL verification is off (insecure_ssl = 1)');
    fixes.push(`turn SSL verification back on at ${urls.appGeneral}`);
  }
  if (expect.proxyUrl && stripSlash(expect.proxyUrl) !== stripSlash(url.href)) {
    problems.push(
      'WEBHOOK_PROXY_URL is set, but the App delivers elsewhere: the proxy receives nothing',
    );
    fixes.push(
      `set "Webhook URL" at ${urls.appGeneral} to the WEBHOOK_PROXY_URL channel, or unset WEBHOOK_PROXY_URL`,
    );
  }
  const summary = `${printable(url)} (the public URL the webhook should reach)`;
  if (problems.length === 0) return result.pass('Webhook', name, summary);
  return result.warn('Webhook', name, summary, { details: problems, fix: fixes.join('; ') });
}

/**
 * The URL ends in the path the server serves (WEBHOOK_PATH; a proxy in front may add a prefix),
 * unless deliveries go through a smee.io channel, which the proxy forwards to WEBHOOK_PATH.
 */
function evaluateWebhookPath(
  hook: HookConfig,
  expect: WebhookExpectations,
  urls: GitHubUrls,
): CheckResult {
  const name = 'webhook path';
  const url = parse(hook.url);
  if (url === undefined) return result.skip('Webhook', name, 'skipped: no valid webhook URL');
  const path = expect.webhookPath;
  const viaProxy =
    expect.proxyUrl !== undefined && stripSlash(expect.proxyUrl) === stripSlash(url.href);
  if (viaProxy) {
    return result.pass(
      'Webhook',
      name,
      `deliveries go to the WEBHOOK_PROXY_URL channel, whose proxy forwards them to ${path} (WEBHOOK_PATH)`,
    );
  }
  if (url.hostname === 'smee.io') {
    return result.warn(
      'Webhook',
      name,
      'a smee.io channel, but WEBHOOK_PROXY_URL is not set: nothing forwards its deliveries to this server',
      { fix: 'set WEBHOOK_PROXY_URL to the channel URL (the App\u2019s Webhook URL)' },
    );
  }
  // WEBHOOK_PATH starts with "/", so a match is whole path segments; "/" means the root itself.
  const wanted = stripSlash(path);
  const served = stripSlash(url.pathname);
  if (wanted === '' ? served === '' : served.endsWith(wanted)) {
    return result.pass('Webhook', name, `ends in ${path}, where the server listens (WEBHOOK_PATH)`);
  }
  const other = url.pathname;
  return result.fail(
    'Webhook',
    name,
    `the path is ${other}, but the server listens on ${path} (WEBHOOK_PATH): GitHub's deliveries get 404 and no job reaches the server`,
    {
      fix:
        `end "Webhook URL" at ${urls.appGeneral} with ${path}: ${url.origin}${path} (a proxy in front may add a prefix, e.g. ${url.origin}/runners${path})` +
        (stripSlash(other) === ''
          ? ''
          : `, or set WEBHOOK_PATH=${other} if the server should listen there`),
    },
  );
}

function evaluateWebhookSecret(hook: HookConfig, urls: GitHubUrls): CheckResult {
  if (hook.secret) {
    return result.pass(
      'Webhook',
      'webhook secret',
      'set on the App (GitHub does not show it: it must equal WEBHOOK_SECRET, or every delivery is refused)',
    );
  }
  return result.fail(
    'Webhook',
    'webhook secret',
    'the App has no webhook secret: its deliveries are unsigned and the server refuses every one',
    {
      fix: `set "Webhook secret" at ${urls.appGeneral} to the value of WEBHOOK_SECRET (or generate one, e.g. \`openssl rand -hex 32\`, and set it in both places)`,
    },
  );
}

function evaluateContentType(hook: HookConfig): CheckResult {
  const type = hook.content_type ?? undefined;
  if (type === undefined || type === 'json') {
    return result.pass('Webhook', 'webhook content type', type ?? 'json (GitHub\u2019s default)');
  }
  return result.fail(
    'Webhook',
    'webhook content type',
    `${type}: the server (Probot) accepts only application/json deliveries and answers 415 to the rest`,
    {
      fix: 'set the content type to json: PATCH /app/hook/config with {"content_type":"json"} using the App\u2019s JWT (https://docs.github.com/rest/apps/webhooks#update-a-webhook-configuration-for-an-app)',
    },
  );
}
