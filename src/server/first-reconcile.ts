import type { Logger } from 'pino';
import type { Reconciler } from '../reconciler/reconciler.js';

/** A new leader waits this long at most for its first reconciliation before it plans. */
const FIRST_RECONCILE_WAIT_MS = 30_000;

/** One reconciliation, waited for at most FIRST_RECONCILE_WAIT_MS. */
export async function firstReconcile(reconciler: Reconciler, log: Logger): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<void>((resolve) => {
    timer = setTimeout(() => {
      log.warn('the first reconciliation is slow; planning without waiting for it');
      resolve();
    }, FIRST_RECONCILE_WAIT_MS);
    timer.unref();
  });
  await Promise.race([reconciler.tick().then(() => undefined), timeout]);
  clearTimeout(timer);
}
