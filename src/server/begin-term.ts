import { errorFields } from '../domain/error-fields.js';
import { endTerm } from './end-term.js';
import { firstReconcile } from './first-reconcile.js';
import type { LeaderTermsContext, Term } from './leader-term-context.js';
import { startLoops } from './lifecycle.js';
import { recover } from './recover.js';

/**
 * Begins the term of `epoch` (ending one still running): once the last term has stopped, it
 * recovers (undoing the launches cut off), reconciles once, then starts the term's loops. A term
 * that cannot start resigns the lease.
 */
export function beginTerm(ctx: LeaderTermsContext, epoch: number): void {
  if (ctx.stopped) return;
  const { log } = ctx;
  if (ctx.term !== undefined) void endTerm(ctx, ctx.term, 'a new term began');
  const parts = ctx.build(epoch);
  const t: Term = {
    epoch,
    parts,
    ready: Promise.resolve(),
    loops: undefined,
    ended: false,
    stopping: undefined,
    unsubscribe: () => {},
  };
  const previous = ctx.ending;
  t.ready = (async () => {
    await previous;
    await recover(parts.controller);
    await firstReconcile(parts.reconciler, log);
    if (t.ended) return;
    t.loops = startLoops(ctx.loops(parts), log, ctx.clock);
    log.info({ epoch }, 'leader term started: reconciled, now planning');
  })().catch((error: unknown) => {
    log.error({ epoch, err: errorFields(error) }, 'the leader term could not start');
    // Leading without planning helps nobody: give the lease a chance to go to a replica that
    // can (this one included, once its database or dependencies answer again).
    if (!t.ended)
      ctx.leadership.resign(`the leader term could not start: ${errorFields(error).message}`);
  });
  t.unsubscribe = ctx.signal.onWork(() => {
    if (t.loops !== undefined) parts.controller.wake();
  });
  ctx.term = t;
}
