import { errorFields } from '../domain/error-fields.js';
import type { LeaderTermsContext, Term } from './leader-term-context.js';

/**
 * Ends a term (once): the controller stops planning at once, then the term's start and its
 * loops are waited for. The next term begins to act only after this.
 */
export function endTerm(ctx: LeaderTermsContext, t: Term, reason: string): Promise<void> {
  if (t.stopping !== undefined) return t.stopping;
  const { log } = ctx;
  t.ended = true;
  t.unsubscribe();
  if (ctx.term === t) ctx.term = undefined;
  log.info({ epoch: t.epoch, reason }, 'leader term ending');
  t.stopping = (async () => {
    // The controller first and at once: no plan starts after this.
    const controllerStopped = t.parts.controller.stop();
    await t.ready;
    await Promise.all([controllerStopped, t.loops?.stop()]);
  })().catch((error: unknown) =>
    log.error({ epoch: t.epoch, err: errorFields(error) }, 'the leader term did not stop cleanly'),
  );
  ctx.ending = ctx.ending.then(() => t.stopping);
  return t.stopping;
}
