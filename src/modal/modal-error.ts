import {
  AlreadyExistsError,
  ClientClosedError,
  ConflictError,
  InternalFailure,
  InvalidError,
  NotFoundError,
  ResourceExhaustedError,
  SandboxTimeoutError,
  TimeoutError,
} from 'modal';

/** gRPC status codes (stable across gRPC implementations), by number. */
const GRPC_STATUS: Readonly<Record<number, string>> = {
  0: 'OK',
  1: 'CANCELLED',
  2: 'UNKNOWN',
  3: 'INVALID_ARGUMENT',
  4: 'DEADLINE_EXCEEDED',
  5: 'NOT_FOUND',
  6: 'ALREADY_EXISTS',
  7: 'PERMISSION_DENIED',
  8: 'RESOURCE_EXHAUSTED',
  9: 'FAILED_PRECONDITION',
  10: 'ABORTED',
  11: 'OUT_OF_RANGE',
  12: 'UNIMPLEMENTED',
  13: 'INTERNAL',
  14: 'UNAVAILABLE',
  15: 'DATA_LOSS',
  16: 'UNAUTHENTICATED',
};

const RETRYABLE_CODES = new Set([
  'UNAVAILABLE',
  'RESOURCE_EXHAUSTED',
  'DEADLINE_EXCEEDED',
  'INTERNAL',
  'ABORTED',
  'UNKNOWN',
]);

/**
 * What the SDK's own retry middleware already retried (modal@0.11.1 `retryableGrpcStatusCodes`,
 * three retries for unary calls): callers must not retry these again, so retries count once.
 */
const SDK_RETRIED_CODES = new Set([
  'DEADLINE_EXCEEDED',
  'UNAVAILABLE',
  'CANCELLED',
  'INTERNAL',
  'UNKNOWN',
]);

/** The SDK turns some statuses into its own error classes; this maps them back. */
const SDK_ERROR_CODES: readonly (readonly [new (...args: never[]) => Error, string])[] = [
  [NotFoundError, 'NOT_FOUND'],
  [AlreadyExistsError, 'ALREADY_EXISTS'],
  [InvalidError, 'INVALID_ARGUMENT'],
  [ResourceExhaustedError, 'RESOURCE_EXHAUSTED'],
  [InternalFailure, 'INTERNAL'],
  [TimeoutError, 'DEADLINE_EXCEEDED'],
  [SandboxTimeoutError, 'DEADLINE_EXCEEDED'],
  [ConflictError, 'FAILED_PRECONDITION'],
  [ClientClosedError, 'CANCELLED'],
];

const CREDENTIALS_HINT =
  'check MODAL_TOKEN_ID / MODAL_TOKEN_SECRET (create a token with `modal token new`)';

/** What the caller knows about the failed call; used for the fix hint and for redaction. */
export interface ModalErrorContext {
  readonly runnerClass?: string;
  readonly gpu?: string;
  readonly image?: string;
  readonly appName?: string;
  readonly environment?: string;
  /** Values that must not appear in the message (the JIT config); replaced by `[redacted]`. */
  readonly secrets?: readonly string[];
}

/** A failed Modal call: what was attempted, whether trying again may help, and how to fix it. */
export class ModalError extends Error {
  override readonly name = 'ModalError';
  readonly operation: string;
  readonly retryable: boolean;
  /** The SDK retried this already (transient gRPC statuses): a caller should not retry it again. */
  readonly retriedBelow: boolean;
  /**
   * A gRPC status name (`UNAVAILABLE`, `NOT_FOUND`…), the SDK's error classes mapped back to
   * one; for anything else, the error's name (`Error`).
   */
  readonly code: string;

  constructor(init: {
    operation: string;
    message: string;
    retryable: boolean;
    code: string;
    retriedBelow?: boolean;
    cause?: unknown;
  }) {
    super(init.message, init.cause === undefined ? undefined : { cause: init.cause });
    this.operation = init.operation;
    this.retryable = init.retryable;
    this.retriedBelow = init.retriedBelow ?? false;
    this.code = init.code;
  }
}

interface GrpcClientError extends Error {
  readonly code: number;
  readonly details: string;
}

/**
 * nice-grpc's ClientError, recognised the way nice-grpc itself does across copies of the
 * package (it marks its errors), so this module needs no direct dependency on nice-grpc.
 */
export function isGrpcClientError(error: unknown): error is GrpcClientError {
  if (!(error instanceof Error)) return false;
  const marked =
    (error as unknown as Record<string, unknown>)['@@nice-grpc:ClientError'] === true ||
    error.name === 'ClientError';
  const { code, details } = error as unknown as Record<string, unknown>;
  return marked && typeof code === 'number' && typeof details === 'string';
}

/** The gRPC status name of an error from the SDK (see `ModalError.code`). */
export function modalErrorCode(error: unknown): string {
  if (error instanceof ModalError) return error.code;
  if (isGrpcClientError(error)) return GRPC_STATUS[error.code] ?? `STATUS_${error.code}`;
  for (const [klass, code] of SDK_ERROR_CODES) if (error instanceof klass) return code;
  if (error instanceof Error) return error.name || 'Error';
  return 'Error';
}

/** True when the same call may succeed later. */
export function isRetryableModalError(error: unknown): boolean {
  if (error instanceof ModalError) return error.retryable;
  const code = modalErrorCode(error);
  if (RETRYABLE_CODES.has(code)) return true;
  // Image builds that Modal itself cut short.
  const message = error instanceof Error ? error.message : '';
  return /^Image build for \S+ (terminated due to external shut-down|timed out)/.test(message);
}

/** True when the sandbox (or other object) is gone: terminating it again is pointless. */
export function isModalNotFound(error: unknown): boolean {
  return modalErrorCode(error) === 'NOT_FOUND';
}

const REDACTED = '[redacted]';

function redact(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) {
    if (secret.length >= 4) out = out.split(secret).join(REDACTED);
  }
  return (
    out
      // Modal token IDs and secrets.
      .replace(/\b(ak|as)-[A-Za-z0-9]{8,}\b/g, REDACTED)
      // Opaque blobs (JIT configs are kilobytes of base64), wherever they came from.
      .replace(/[A-Za-z0-9+/=_-]{100,}/g, REDACTED)
  );
}

function detailOf(error: unknown): string {
  if (isGrpcClientError(error)) return error.details || modalErrorCode(error);
  if (error instanceof Error) return error.message || error.name;
  return String(error);
}

function hintFor(code: string, detail: string, error: unknown, context: ModalErrorContext) {
  const klass = context.runnerClass ? `runner class '${context.runnerClass}'` : 'the runner class';
  if (code === 'UNAUTHENTICATED' || code === 'PERMISSION_DENIED') {
    return `Modal rejected the credentials: ${CREDENTIALS_HINT}`;
  }
  if (/missing credentials/i.test(detail)) {
    return `no Modal credentials: set MODAL_TOKEN_ID and MODAL_TOKEN_SECRET (create a token with \`modal token new\`)`;
  }
  // INVALID_ARGUMENT from Modal, or the SDK's own plain Error ("Invalid GPU count: …").
  if ((code === 'INVALID_ARGUMENT' || code === 'Error') && /gpu/i.test(detail)) {
    const gpu = context.gpu ? ` (gpu "${context.gpu}")` : '';
    return `check the gpu of ${klass}${gpu}: it must be a GPU type Modal offers, such as "T4", "A100-80GB" or "H100:2"`;
  }
  if (code === 'NOT_FOUND' && /environment/i.test(detail)) {
    return `check MODAL_ENVIRONMENT${context.environment ? ` ('${context.environment}')` : ''}: it must name an environment of the Modal workspace`;
  }
  if (error instanceof NotFoundError && /^App '/.test(detail)) {
    // apps.fromName with createIfMissing reports a missing environment as a missing App.
    return `the App could not be found or created; check MODAL_ENVIRONMENT${context.environment ? ` ('${context.environment}')` : ''}`;
  }
  if (/^Image build for /.test(detail) && !isRetryableModalError(error)) {
    return `check the image of ${klass}${context.image ? ` ('${context.image}')` : ''}: it must exist and be pullable by Modal`;
  }
  if (code === 'ALREADY_EXISTS') {
    return 'a running sandbox of this app already has that name';
  }
  if (code === 'RESOURCE_EXHAUSTED') {
    return 'Modal is out of capacity or a quota or rate limit was reached; retry later';
  }
  if (error instanceof ConflictError) return 'the sandbox has already finished';
  if (error instanceof ClientClosedError) return 'the Modal client was closed';
  return undefined;
}

/**
 * Wraps anything the Modal SDK threw into a ModalError that says whether to retry and, when
 * the fix is the user's, how to fix it. The message carries neither tokens nor the JIT config
 * (request objects are never embedded, and `context.secrets` are redacted from server text).
 */
export function translateModalError(
  operation: string,
  error: unknown,
  context: ModalErrorContext = {},
): ModalError {
  if (error instanceof ModalError) return error;
  const secrets = context.secrets ?? [];
  const code = modalErrorCode(error);
  const rawDetail = detailOf(error);
  const detail = redact(rawDetail, secrets);
  const hint = hintFor(code, detail, error, context);
  const shown = detail.length > 500 ? `${detail.slice(0, 500)}…` : detail;
  const message = `Modal ${operation} failed (${code}): ${shown}${hint ? `; ${hint}` : ''}`;
  // Keep the original as the cause unless its own message would leak something.
  const causeMessage = error instanceof Error ? error.message : String(error);
  const cause =
    redact(causeMessage, secrets) === causeMessage
      ? error
      : Object.assign(new Error(redact(causeMessage, secrets)), { name: code });
  return new ModalError({
    operation,
    message,
    retryable: isRetryableModalError(error),
    // Only gRPC statuses went through the SDK's retry middleware.
    retriedBelow: isGrpcClientError(error) && SDK_RETRIED_CODES.has(code),
    code,
    cause,
  });
}
