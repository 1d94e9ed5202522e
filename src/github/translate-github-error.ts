import { GitHubError, type GitHubOperation, type TranslateContext } from './github-error.js';
import { explainHttpFailure } from './explain-http-failure.js';
import { networkErrorCode } from './network-error-code.js';
import { readHttpFailure } from './read-http-failure.js';
import { sanitizeGitHubText } from './sanitize-github-text.js';
import { scopeLabel } from './scope-label.js';

/** Turns whatever an Octokit call threw into a GitHubError (returned unchanged if it is one). */
export function translateGitHubError(
  operation: GitHubOperation,
  error: unknown,
  context: TranslateContext = {},
): GitHubError {
  if (error instanceof GitHubError) return error;
  const where = context.scope ? ` for ${scopeLabel(context.scope)}` : '';
  const runner = context.runnerName ? ` (runner ${context.runnerName})` : '';
  const prefix = `GitHub ${operation}${where}${runner} failed`;

  const http = readHttpFailure(error);
  if (http === undefined) return noAnswerError(operation, error, prefix);
  const { detail, ...explained } = explainHttpFailure(
    operation,
    http,
    context,
    context.now ?? Date.now(),
  );
  return new GitHubError(`${prefix}${detail}`, {
    operation,
    status: http.status,
    githubMessage: http.githubMessage,
    requestId: http.headers['x-github-request-id'],
    cause: error,
    ...explained,
  });
}

/** A call without an HTTP answer: a network fault or timeout (retryable), or anything else. */
function noAnswerError(operation: GitHubOperation, error: unknown, prefix: string): GitHubError {
  const code = networkErrorCode(error);
  const name = typeof error === 'object' && error !== null ? (error as Error).name : undefined;
  const isTimeout = name === 'AbortError' || name === 'TimeoutError';
  if (code !== undefined || isTimeout) {
    return new GitHubError(
      `${prefix}: could not reach GitHub (${code ?? 'timeout'}), usually a passing fault. ` +
        'If this persists, check the network path to GitHub (GHE_HOST, proxies).',
      { operation, code: 'network', retryable: true, cause: error },
    );
  }
  const text = sanitizeGitHubText(error instanceof Error ? error.message : String(error));
  return new GitHubError(`${prefix}: ${text}`, {
    operation,
    code: 'unknown',
    retryable: false,
    cause: error,
  });
}
