import type { SandboxPlatform } from '../ports/sandbox-platform.js';
import { ModalError } from './modal-error.js';

/** How long one Modal call (create, stdin write, terminate, list) may take before we stop waiting. */
export const DEFAULT_MODAL_CALL_TIMEOUT_MS = 60_000;

/**
 * The platform with a deadline on every call. A call past its deadline is answered with a retryable DEADLINE_EXCEEDED: the launch slot is freed and
 * the reconciler finds whatever the call still does (a sandbox created late carries its tags).
 */
export function withCallDeadlines<P extends SandboxPlatform>(platform: P, timeoutMs: number): P {
  const limit =
    <A extends unknown[], R>(operation: string, call: (...args: A) => Promise<R>) =>
    (...args: A): Promise<R> =>
      deadline(operation, call(...args), timeoutMs);
  return {
    ...platform,
    createSandbox: limit('create-sandbox', platform.createSandbox.bind(platform)),
    deliverConfig: limit('deliver-config', platform.deliverConfig.bind(platform)),
    terminate: limit('terminate', platform.terminate.bind(platform)),
    list: limit('list', platform.list.bind(platform)),
  };
}

function deadline<R>(operation: string, call: Promise<R>, timeoutMs: number): Promise<R> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(
          new ModalError({
            operation,
            code: 'DEADLINE_EXCEEDED',
            retryable: true,
            message:
              `Modal ${operation} failed (DEADLINE_EXCEEDED): no answer within ` +
              `${Math.round(timeoutMs / 1000)} s; if this persists, check Modal's status page ` +
              'and the network path to api.modal.com (MODAL_SERVER_URL)',
          }),
        ),
      timeoutMs,
    );
    timer.unref();
  });
  // A call that fails after its deadline has passed is not left unhandled.
  call.catch(() => undefined);
  return Promise.race([call, expired]).finally(() => clearTimeout(timer));
}
