import { escapeHtml } from '../status/render-status-html.js';
import type { AppManifest } from './app-manifest.js';

export interface SetupPageInput {
  readonly manifest: AppManifest;
  /** Where the form posts the manifest: GitHub's "new App" page for the account, with `state`. */
  readonly createAppUrl: string;
  /** GH_ORG, or undefined for the user's own account. */
  readonly org: string | undefined;
  /** One sentence on where the webhooks will go (describeWebhookTarget). */
  readonly webhookNote: string;
}

/** Which account the App is registered on, and what that means for installing it. */
export function accountSentence(org: string | undefined, isPublic: boolean): string {
  if (org !== undefined) {
    return `The App will be registered on the organization ${org} (GH_ORG), owned by it and installable on it.`;
  }
  return isPublic
    ? 'The App will be registered on your personal GitHub account (GH_ORG is not set). To register it on an organization instead, stop the server and start it with GH_ORG=<org>.'
    : 'The App will be registered on your personal GitHub account (GH_ORG is not set). app.yml makes it private, so it could be installed only on that account, never on an organization: stop the server and start it with GH_ORG=<org> to register it on your organization.';
}

const STYLE = `body{font:15px/1.5 system-ui,sans-serif;margin:2rem auto;max-width:46rem;color:#1f2328}
h1{font-size:1.5rem}.account{padding:.75rem 1rem;border-radius:6px;background:#ddf4ff}
.warn{background:#fff8c5}button{font:inherit;padding:.5rem 1rem;border-radius:6px;border:1px solid #1f883d;background:#1f883d;color:#fff;cursor:pointer}
code{background:#eff2f5;padding:0 .25rem;border-radius:4px}`;

/**
 * The setup page: what will be registered and where, and one button that posts the manifest to
 * GitHub. No scripts; every value escaped.
 */
export function renderSetupPage(input: SetupPageInput): string {
  const personalPrivate = input.org === undefined && !input.manifest.public;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1">
<title>modal-github-runner setup</title>
<style>${STYLE}</style></head>
<body>
<h1>Register the GitHub App</h1>
<p>modal-github-runner has no GitHub App yet (no <code>APP_ID</code> and private key). This page registers one named
<b>${escapeHtml(input.manifest.name)}</b> from <code>app.yml</code>, then writes <code>APP_ID</code>,
<code>PRIVATE_KEY</code> and <code>WEBHOOK_SECRET</code> to <code>.env</code>.</p>
<p class="account${personalPrivate ? ' warn' : ''}" id="account">${escapeHtml(accountSentence(input.org, input.manifest.public))}</p>
<p id="webhook">${escapeHtml(input.webhookNote)}</p>
<form action="${escapeHtml(input.createAppUrl)}" method="post">
<input type="hidden" name="manifest" value="${escapeHtml(JSON.stringify(input.manifest))}">
<button type="submit">Register ${escapeHtml(input.manifest.name)} on ${escapeHtml(input.org === undefined ? 'my account' : input.org)}</button>
</form>
<p>Afterwards GitHub asks where to install the App: choose the organization. Then add your Modal token to
<code>.env</code> (<code>MODAL_TOKEN_ID</code>, <code>MODAL_TOKEN_SECRET</code>), restart the server and run
<code>npm run doctor</code>.</p>
</body></html>
`;
}
