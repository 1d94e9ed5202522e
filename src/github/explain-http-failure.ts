import {
  DEFAULT_SECONDARY_LIMIT_WAIT_MS,
  type GitHubErrorCode,
  type GitHubOperation,
  type TranslateContext,
} from './github-error.js';
import { parseRetryAfter } from './parse-retry-after.js';
import type { HttpFailure } from './read-http-failure.js';
import { scopeLabel } from './scope-label.js';

/** What an HTTP failure means: the end of the error's message and how callers may react. */
export interface FailureExplanation {
  /** Follows `GitHub <operation> … failed`: `: …` or ` with <status>: …`. */
  readonly detail: string;
  readonly code: GitHubErrorCode;
  readonly retryable: boolean;
  readonly retryAfterMs?: number;
  readonly runnerBusy?: boolean;
}

const PERMISSION_FIX =
  'the App lacks `organization_self_hosted_runners: write` (org) or `administration: write` ' +
  "(repo-level runners); update the App's permissions and accept them on the installation";

/** Explains GitHub's HTTP answer to a call, with what to fix when the fix is the operator's. Pure. */
export function explainHttpFailure(
  operation: GitHubOperation,
  http: HttpFailure,
  context: TranslateContext,
  now: number,
): FailureExplanation {
  const { status, githubMessage } = http;
  const says = githubMessage ? ` GitHub says: "${githubMessage}".` : '';
  if (status === 403 || status === 429) return explainRefusal(operation, http, context, now, says);
  if (status >= 500) {
    return {
      detail: `: GitHub answered ${status}, usually a passing fault.${says}`,
      code: 'server-error',
      retryable: true,
    };
  }
  if (status === 401) {
    return final(
      'unauthorized',
      " with 401: GitHub refused the App's credentials; check APP_ID and PRIVATE_KEY " +
        "(or GHE_HOST), and that this server's clock is accurate.",
    );
  }
  if (status === 404) {
    return final('not-found', ` with 404: ${notFoundFix(operation, context)}.${says}`);
  }
  if (status === 409 && operation === 'generate-jitconfig') {
    return final(
      'name-taken',
      ` with 409: the runner name${context.runnerName ? ` ${context.runnerName}` : ''} ` +
        `is already in use in ${context.scope ? scopeLabel(context.scope) : 'this scope'}.${says}`,
    );
  }
  if (status === 422 && operation === 'delete-runner') {
    return {
      ...final(
        'runner-busy',
        ` with 422: the runner is running a job, so its registration is kept.${says}`,
      ),
      runnerBusy: true,
    };
  }
  if (status === 422) {
    return final('validation-failed', ` with 422: ${validationFix(operation, context)}.${says}`);
  }
  return final('unknown', ` with ${status}.${says}`);
}

/** A failure retrying cannot mend. */
function final(code: GitHubErrorCode, detail: string): FailureExplanation {
  return { detail, code, retryable: false };
}

/** A 403 or 429: a primary or secondary rate limit, or (403) a permission the App lacks. */
function explainRefusal(
  operation: GitHubOperation,
  { status, headers, githubMessage }: HttpFailure,
  context: TranslateContext,
  now: number,
  says: string,
): FailureExplanation {
  const secondary = /secondary rate limit|abuse detection/i.test(githubMessage ?? '');
  const retryAfterMs = parseRetryAfter(headers['retry-after'], now);
  if (!secondary && headers['x-ratelimit-remaining'] === '0') {
    const reset = Number(headers['x-ratelimit-reset']);
    const resetMs = Number.isFinite(reset) && reset > 0 ? Math.max(0, reset * 1000 - now) : 0;
    const waitMs = retryAfterMs ?? (resetMs > 0 ? resetMs : DEFAULT_SECONDARY_LIMIT_WAIT_MS);
    return {
      detail:
        `: the installation's primary rate limit is used up (${status}); ` +
        `GitHub resets it in ${Math.ceil(waitMs / 1000)} s.${says}`,
      code: 'primary-rate-limit',
      retryable: true,
      retryAfterMs: waitMs,
    };
  }
  if (secondary || status === 429 || retryAfterMs !== undefined) {
    return {
      detail:
        `: GitHub's secondary rate limit (${status}); calls must slow down` +
        `${retryAfterMs === undefined ? '' : ` and wait ${Math.ceil(retryAfterMs / 1000)} s`}. ` +
        'If this happens often, lower JIT_RATE_PER_SECOND.' +
        says,
      code: 'secondary-rate-limit',
      retryable: true,
      retryAfterMs: retryAfterMs ?? DEFAULT_SECONDARY_LIMIT_WAIT_MS,
    };
  }
  const fix =
    operation === 'installation-token'
      ? `GitHub refused an installation token for installation ${context.installationId ?? '?'}` +
        ' (is the installation suspended?)'
      : PERMISSION_FIX;
  return final('forbidden', ` with 403: ${fix}.${says}`);
}

function notFoundFix(operation: GitHubOperation, context: TranslateContext): string {
  if (operation === 'generate-jitconfig') {
    const group = context.runnerGroupId === undefined ? '' : ` (${context.runnerGroupId})`;
    return (
      `the ${context.scope ? scopeLabel(context.scope) : 'org/repo'} or the runner group ` +
      `RUNNER_GROUP_ID${group} does not exist, or the App's installation cannot see it; ` +
      'check that the App is installed there and that RUNNER_GROUP_ID names a runner group of it'
    );
  }
  if (operation === 'installation-token') {
    return `installation ${context.installationId ?? '?'} not found; was the App uninstalled?`;
  }
  if (operation === 'delete-runner') {
    return 'the runner registration does not exist (already removed)';
  }
  return (
    `the ${context.scope ? scopeLabel(context.scope) : 'org/repo'} does not exist, or the ` +
    "App's installation cannot see it"
  );
}

function validationFix(operation: GitHubOperation, context: TranslateContext): string {
  if (operation !== 'generate-jitconfig') return 'GitHub refused the request as invalid';
  return (
    `GitHub refused the runner group${context.runnerGroupId === undefined ? '' : ` ${context.runnerGroupId}`} ` +
    'or the labels; check that RUNNER_GROUP_ID names a runner group the ' +
    `${context.scope?.kind === 'repo' ? 'repository may use (repo-level runners use the Default group, 1)' : 'organization has'}` +
    ' and that the runner class names are valid labels'
  );
}
