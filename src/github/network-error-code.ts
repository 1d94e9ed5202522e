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

/**
 * Why a call never reached GitHub: a socket error code (`ECONNRESET`…), `timeout` when our own
 * deadline aborted it, `no response` for another failed fetch; undefined when it did reach GitHub.
 */
export function networkErrorCode(error: unknown): string | undefined {
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

/** Our own deadline (AbortSignal.timeout) aborted the fetch: a TimeoutError somewhere below. */
function timedOut(error: unknown): boolean {
  let current: unknown = error;
  for (let depth = 0; depth < 4 && typeof current === 'object' && current !== null; depth++) {
    if ((current as { name?: unknown }).name === 'TimeoutError') return true;
    current = (current as { cause?: unknown }).cause;
  }
  return /aborted due to timeout/i.test(String((error as { message?: unknown }).message));
}
