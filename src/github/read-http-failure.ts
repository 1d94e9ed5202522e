import { sanitizeGitHubText } from './sanitize-github-text.js';

/** What an Octokit RequestError with an HTTP answer says. */
export interface HttpFailure {
  readonly status: number;
  /** Lower-cased names. */
  readonly headers: Readonly<Record<string, string>>;
  /** GitHub's JSON `message`, cleaned of anything that looks like a credential. */
  readonly githubMessage?: string;
}

/** Status, lower-cased headers and GitHub's message text of an Octokit RequestError with a response. */
export function readHttpFailure(error: unknown): HttpFailure | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const { status, response } = error as { status?: unknown; response?: unknown };
  // Octokit reports a failed fetch as status 500 without a response: that is a network error.
  if (typeof status !== 'number' || typeof response !== 'object' || response === null) {
    return undefined;
  }
  const { headers: rawHeaders, data } = response as { headers?: unknown; data?: unknown };
  const headers: Record<string, string> = {};
  if (typeof rawHeaders === 'object' && rawHeaders !== null) {
    for (const [key, value] of Object.entries(rawHeaders)) {
      if (typeof value === 'string' || typeof value === 'number') {
        headers[key.toLowerCase()] = String(value);
      }
    }
  }
  let githubMessage: string | undefined;
  // Only GitHub's JSON `message`; an HTML page from a proxy is not worth repeating.
  if (typeof data === 'object' && data !== null) {
    const message = (data as { message?: unknown }).message;
    if (typeof message === 'string' && message.trim() !== '') {
      githubMessage = sanitizeGitHubText(message);
    }
  }
  return { status, headers, ...(githubMessage === undefined ? {} : { githubMessage }) };
}
