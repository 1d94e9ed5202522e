import { GitHubError } from './github-error.js';

/**
 * The same GitHubError with a message tailored to the call: `GitHub <operation> for <what>
 * failed with <status>: <fix>.`, GitHub's own message kept at the end. Status, code, retry hints,
 * request id and cause stay as they were.
 */
export function withFix(error: GitHubError, what: string, fix: string): GitHubError {
  const says = error.githubMessage ? ` GitHub says: "${error.githubMessage}".` : '';
  const status = error.status === undefined ? '' : ` with ${error.status}`;
  return new GitHubError(`GitHub ${error.operation} for ${what} failed${status}: ${fix}.${says}`, {
    operation: error.operation,
    code: error.code,
    status: error.status,
    retryable: error.retryable,
    retryAfterMs: error.retryAfterMs,
    runnerBusy: error.runnerBusy,
    githubMessage: error.githubMessage,
    requestId: error.requestId,
    cause: error.cause,
  });
}
