/**
 * What of an error is safe to log: its class, message and status, never request objects (they
 * carry tokens and payloads). Every log line about an error uses it as `err`.
 */
export function errorFields(error: unknown): { type: string; message: string; status?: number } {
  if (error instanceof Error) {
    const status = (error as { status?: unknown }).status;
    return {
      type: error.name,
      message: error.message,
      ...(typeof status === 'number' ? { status } : {}),
    };
  }
  return { type: typeof error, message: String(error) };
}

/**
 * The logger's serializer for `err`: whatever reaches it (a field set from `errorFields`, or a
 * raw error that a library logged) becomes the same safe fields, with the stack of a raw error.
 * Nothing else of the error is kept: no request, response or payload it may carry.
 */
export function errorLogFields(value: unknown): {
  type: string;
  message: string;
  status?: number;
  stack?: string;
} {
  if (value instanceof Error) {
    return { ...errorFields(value), ...(value.stack ? { stack: value.stack } : {}) };
  }
  if (typeof value === 'object' && value !== null) {
    const { type, message, status } = value as Record<string, unknown>;
    if (typeof message === 'string') {
      return {
        type: typeof type === 'string' ? type : 'object',
        message,
        ...(typeof status === 'number' ? { status } : {}),
      };
    }
  }
  return errorFields(value);
}

/** A short, bounded label for the errors metric: the error's code, or its class. */
export function errorCause(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  const name = error instanceof Error ? error.name : 'unknown';
  return typeof code === 'string' && /^[\w-]{1,40}$/.test(code) ? `${name}:${code}` : name;
}

/**
 * GitHub refused to delete a runner because it is running a job (422). The one way to ask:
 * the GitHub adapter sets `runnerBusy` on such errors.
 */
export function isRunnerBusy(error: unknown): boolean {
  return (
    typeof error === 'object' &&
    error !== null &&
    (error as { runnerBusy?: unknown }).runnerBusy === true
  );
}

/**
 * What errors thrown by the GitHub and Modal adapters say about themselves, so that callers can
 * decide to retry without knowing either API.
 */
export interface RetryHint {
  /** True when the same call may succeed later (5xx, 429, UNAVAILABLE, RESOURCE_EXHAUSTED, timeouts). */
  readonly retryable: boolean;
  /** How long the remote side asked us to wait, when it said (for example `retry-after`). */
  readonly retryAfterMs?: number;
  /** The layer below (the Modal SDK) already retried it: retrying again would count twice. */
  readonly retriedBelow?: boolean;
}

/**
 * The longest wait a caller sits out inside one call (and so inside a launch slot), whether a
 * `retry-after` or a pause of the GitHub limiter. A longer one fails the call at once; the
 * caller backs off that long instead, holding nothing.
 */
export const MAX_WAIT_IN_CALL_MS = 60_000;

export function retryHintOf(error: unknown): RetryHint {
  if (typeof error === 'object' && error !== null && 'retryable' in error) {
    const { retryable, retryAfterMs, retriedBelow } = error as {
      retryable: unknown;
      retryAfterMs?: unknown;
      retriedBelow?: unknown;
    };
    return {
      retryable: retryable === true,
      ...(typeof retryAfterMs === 'number' ? { retryAfterMs } : {}),
      ...(retriedBelow === true ? { retriedBelow: true } : {}),
    };
  }
  return { retryable: false };
}
