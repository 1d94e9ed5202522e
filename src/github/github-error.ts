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
