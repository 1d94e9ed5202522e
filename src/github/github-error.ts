import type { RetryHint } from '../domain/error-fields.js';
import type { RunnerScope } from '../domain/runner-scope.js';

/** The GitHub calls this app makes; used in messages, logs and the controller's retry logs. */
export type GitHubOperation =
  | 'generate-jitconfig'
  | 'delete-runner'
  | 'list-runners'
  | 'installation-token'
  // Any other operation name is allowed; the ones above get tailored messages.
  | (string & {});

/** What went wrong, for callers that branch on it. */
export type GitHubErrorCode =
  /** Secondary rate limit (403/429 that says so, or any 429): slow down, then retry. */
  | 'secondary-rate-limit'
  /** Primary rate limit: the installation's hourly quota is spent until `x-ratelimit-reset`. */
  | 'primary-rate-limit'
  /** 5xx from GitHub or a proxy in front of it. */
  | 'server-error'
  /** No HTTP answer: connection reset, refused, DNS, timeout. */
  | 'network'
  /** 401: the App's credentials or the installation token were refused. */
  | 'unauthorized'
  /** 403 that is not a rate limit: usually a missing App permission. */
  | 'forbidden'
  | 'not-found'
  /** 409 on generate-jitconfig: a runner with that name already exists in the scope. */
  | 'name-taken'
  /** 422 on delete-runner: the runner is running a job. */
  | 'runner-busy'
  /** Any other 422. */
  | 'validation-failed'
  /** GitHub answered 2xx with a body we cannot use. */
  | 'unexpected-response'
  | 'unknown';

export interface GitHubErrorOptions {
  readonly operation: GitHubOperation;
  readonly code: GitHubErrorCode;
  readonly status?: number | undefined;
  readonly retryable: boolean;
  readonly retryAfterMs?: number | undefined;
  readonly runnerBusy?: boolean;
  /** Already retried (secondary rate limits, by the paced call): callers should not retry it. */
  readonly retriedBelow?: boolean;
  /** GitHub's own `message`, already cleaned of anything that looks like a credential. */
  readonly githubMessage?: string | undefined;
  /** `x-github-request-id`, for GitHub support. */
  readonly requestId?: string | undefined;
  readonly cause?: unknown;
}

/**
 * An error from a GitHub call, translated: what failed, whether retrying may help, and in the
 * message, what to fix when the fix is the operator's. It carries only the status, a few
 * documented fields and GitHub's message text; never request or response objects, tokens or
 * JIT configs. `cause` is the original error (Octokit redacts its `authorization` header).
 */
export class GitHubError extends Error implements RetryHint {
  override readonly name = 'GitHubError';
  readonly operation: GitHubOperation;
  readonly code: GitHubErrorCode;
  readonly status: number | undefined;
  readonly retryable: boolean;
  readonly retryAfterMs: number | undefined;
  /** True when GitHub refused to delete a runner because it is running a job (422). */
  readonly runnerBusy: boolean;
  readonly retriedBelow: boolean;
  readonly githubMessage: string | undefined;
  readonly requestId: string | undefined;

  constructor(message: string, options: GitHubErrorOptions) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.operation = options.operation;
    this.code = options.code;
    this.status = options.status;
    this.retryable = options.retryable;
    this.retryAfterMs = options.retryAfterMs;
    this.runnerBusy = options.runnerBusy ?? false;
    this.retriedBelow = options.retriedBelow ?? false;
    this.githubMessage = options.githubMessage;
    this.requestId = options.requestId;
  }

  /** True for secondary rate limits, the ones the JIT rate limiter adapts to. */
  get isSecondaryRateLimit(): boolean {
    return this.code === 'secondary-rate-limit';
  }
}

export interface TranslateContext {
  /** Current time in ms since the epoch, for `x-ratelimit-reset` and HTTP-date `retry-after`. */
  readonly now?: number;
  readonly scope?: RunnerScope;
  readonly runnerName?: string;
  readonly runnerGroupId?: number;
  readonly installationId?: number;
}

/** What GitHub advises waiting after a secondary rate limit that names no `retry-after`. */
export const DEFAULT_SECONDARY_LIMIT_WAIT_MS = 60_000;

const NETWORK_ERROR_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ENETUNREACH',
  'EHOSTUNREACH',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'UND_ERR_CLOSED',
]);

const PERMISSION_FIX =
  'the App lacks `organization_self_hosted_runners: write` (org) or `administration: write` ' +
  "(repo-level runners); update the App's permissions and accept them on the installation";

/** Describes a scope for messages and logs: `org acme`, `repo octo/hello`. */
export function scopeLabel(scope: RunnerScope): string {
  return scope.kind === 'org' ? `org ${scope.org}` : `repo ${scope.owner}/${scope.repo}`;
}

/** Turns whatever an Octokit call threw into a GitHubError (returned unchanged if it is one). */
export function translateGitHubError(
  operation: GitHubOperation,
  error: unknown,
  context: TranslateContext = {},
): GitHubError {
  if (error instanceof GitHubError) return error;
  const now = context.now ?? Date.now();
  const where = context.scope ? ` for ${scopeLabel(context.scope)}` : '';
  const runner = context.runnerName ? ` (runner ${context.runnerName})` : '';
  const prefix = `GitHub ${operation}${where}${runner} failed`;

  const http = httpDetails(error);
  if (http === undefined) {
    const code = networkCode(error);
    const name = typeof error === 'object' && error !== null ? (error as Error).name : undefined;
    const isTimeout = name === 'AbortError' || name === 'TimeoutError';
    if (code !== undefined || isTimeout) {
      return new GitHubError(
        `${prefix}: could not reach GitHub (${code ?? 'timeout'}), usually a passing fault. ` +
          'If this persists, check the network path to GitHub (GHE_HOST, proxies).',
        { operation, code: 'network', retryable: true, cause: error },
      );
    }
    const text = error instanceof Error ? sanitize(error.message) : sanitize(String(error));
    return new GitHubError(`${prefix}: ${text}`, {
      operation,
      code: 'unknown',
      retryable: false,
      cause: error,
    });
  }

  const { status, headers, githubMessage } = http;
  const requestId = headers['x-github-request-id'];
  const says = githubMessage ? ` GitHub says: "${githubMessage}".` : '';
  const base = { operation, status, githubMessage, requestId, cause: error } as const;

  if (status === 403 || status === 429) {
    const secondary = /secondary rate limit|abuse detection/i.test(githubMessage ?? '');
    const retryAfterMs = parseRetryAfter(headers['retry-after'], now);
    if (!secondary && headers['x-ratelimit-remaining'] === '0') {
      const reset = Number(headers['x-ratelimit-reset']);
      const resetMs = Number.isFinite(reset) && reset > 0 ? Math.max(0, reset * 1000 - now) : 0;
      const waitMs = retryAfterMs ?? (resetMs > 0 ? resetMs : DEFAULT_SECONDARY_LIMIT_WAIT_MS);
      return new GitHubError(
        `${prefix}: the installation's primary rate limit is used up (${status}); ` +
          `GitHub resets it in ${Math.ceil(waitMs / 1000)} s.${says}`,
        { ...base, code: 'primary-rate-limit', retryable: true, retryAfterMs: waitMs },
      );
    }
    if (secondary || status === 429 || retryAfterMs !== undefined) {
      return new GitHubError(
        `${prefix}: GitHub's secondary rate limit (${status}); calls must slow down` +
          `${retryAfterMs === undefined ? '' : ` and wait ${Math.ceil(retryAfterMs / 1000)} s`}. ` +
          'If this happens often, lower JIT_RATE_PER_SECOND.' +
          says,
        {
          ...base,
          code: 'secondary-rate-limit',
          retryable: true,
          retryAfterMs: retryAfterMs ?? DEFAULT_SECONDARY_LIMIT_WAIT_MS,
        },
      );
    }
    const fix =
      operation === 'installation-token'
        ? `GitHub refused an installation token for installation ${context.installationId ?? '?'}` +
          ' (is the installation suspended?)'
        : PERMISSION_FIX;
    return new GitHubError(`${prefix} with 403: ${fix}.${says}`, {
      ...base,
      code: 'forbidden',
      retryable: false,
    });
  }

  if (status >= 500) {
    return new GitHubError(
      `${prefix}: GitHub answered ${status}, usually a passing fault.${says}`,
      {
        ...base,
        code: 'server-error',
        retryable: true,
      },
    );
  }

  if (status === 401) {
    return new GitHubError(
      `${prefix} with 401: GitHub refused the App's credentials; check APP_ID and PRIVATE_KEY ` +
        "(or GHE_HOST), and that this server's clock is accurate.",
      { ...base, code: 'unauthorized', retryable: false },
    );
  }

  if (status === 404) {
    let fix: string;
    if (operation === 'generate-jitconfig') {
      const group = context.runnerGroupId === undefined ? '' : ` (${context.runnerGroupId})`;
      fix =
        `the ${context.scope ? scopeLabel(context.scope) : 'org/repo'} or the runner group ` +
        `RUNNER_GROUP_ID${group} does not exist, or the App's installation cannot see it; ` +
        'check that the App is installed there and that RUNNER_GROUP_ID names a runner group of it';
    } else if (operation === 'installation-token') {
      fix = `installation ${context.installationId ?? '?'} not found; was the App uninstalled?`;
    } else if (operation === 'delete-runner') {
      fix = 'the runner registration does not exist (already removed)';
    } else {
      fix =
        `the ${context.scope ? scopeLabel(context.scope) : 'org/repo'} does not exist, or the ` +
        "App's installation cannot see it";
    }
    return new GitHubError(`${prefix} with 404: ${fix}.${says}`, {
      ...base,
      code: 'not-found',
      retryable: false,
    });
  }

  if (status === 409 && operation === 'generate-jitconfig') {
    return new GitHubError(
      `${prefix} with 409: the runner name${context.runnerName ? ` ${context.runnerName}` : ''} ` +
        `is already in use in ${context.scope ? scopeLabel(context.scope) : 'this scope'}.${says}`,
      { ...base, code: 'name-taken', retryable: false },
    );
  }

  if (status === 422 && operation === 'delete-runner') {
    return new GitHubError(
      `${prefix} with 422: the runner is running a job, so its registration is kept.${says}`,
      { ...base, code: 'runner-busy', retryable: false, runnerBusy: true },
    );
  }

  if (status === 422) {
    const fix =
      operation === 'generate-jitconfig'
        ? `GitHub refused the runner group${context.runnerGroupId === undefined ? '' : ` ${context.runnerGroupId}`} ` +
          'or the labels; check that RUNNER_GROUP_ID names a runner group the ' +
          `${context.scope?.kind === 'repo' ? 'repository may use (repo-level runners use the Default group, 1)' : 'organization has'}` +
          ' and that the runner class names are valid labels'
        : 'GitHub refused the request as invalid';
    return new GitHubError(`${prefix} with 422: ${fix}.${says}`, {
      ...base,
      code: 'validation-failed',
      retryable: false,
    });
  }

  return new GitHubError(`${prefix} with ${status}.${says}`, {
    ...base,
    code: 'unknown',
    retryable: false,
  });
}

/** Status, lower-cased headers and GitHub's message text of an Octokit RequestError with a response. */
function httpDetails(
  error: unknown,
): { status: number; headers: Record<string, string>; githubMessage?: string } | undefined {
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
    if (typeof message === 'string' && message.trim() !== '') githubMessage = sanitize(message);
  }
  return { status, headers, ...(githubMessage === undefined ? {} : { githubMessage }) };
}

/** Our own deadline (AbortSignal.timeout) aborted the fetch: a TimeoutError somewhere below. */
function timedOut(error: unknown): boolean {
  let current: unknown = error;
  for (let depth = 0; depth < 4 && typeof current === 'object' && current !== null; depth++) {
    if ((current as { name?: unknown }).name === 'TimeoutError') return true;
    current = (current as { cause?: unknown }).cause;
  }
  return /aborted due to timeout/i.test(String((error as { message?: unknown }).message));
}

function networkCode(error: unknown): string | undefined {
  // Octokit wraps fetch's TypeError, which wraps the socket error: look a few levels down.
  let current: unknown = error;
  for (let depth = 0; depth < 4 && typeof current === 'object' && current !== null; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && NETWORK_ERROR_CODES.has(code)) return code;
    current = (current as { cause?: unknown }).cause;
  }
  // A fetch that failed without a known code still never reached GitHub.
  if (
    typeof error === 'object' &&
    error !== null &&
    (error as { name?: unknown }).name === 'HttpError' &&
    (error as { status?: unknown }).status === 500 &&
    (error as { response?: unknown }).response === undefined
  ) {
    return timedOut(error) ? 'timeout' : 'no response';
  }
  return undefined;
}

/** `retry-after` in seconds or as an HTTP date, in ms; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | undefined, now: number): number | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, Math.round(seconds * 1000));
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

const CREDENTIAL_PATTERNS: RegExp[] = [
  /\bgh[opsuvr]_[A-Za-z0-9_]{8,}/g,
  /\bgithub_pat_[A-Za-z0-9_]{8,}/g,
  /\b(token|bearer)\s+[A-Za-z0-9_.-]{8,}/gi,
  /\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_.-]+/g,
];

/** GitHub's message text, bounded and cleaned of anything that looks like a credential. */
function sanitize(text: string): string {
  let clean = text;
  for (const pattern of CREDENTIAL_PATTERNS) clean = clean.replace(pattern, '[REDACTED]');
  return clean.length > 300 ? `${clean.slice(0, 300)}…` : clean;
}
