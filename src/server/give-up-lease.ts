import { errorFields } from '../domain/error-fields.js';
import type { LeaseContext } from './lease-context.js';

/**
 * Stops campaigning and renewing; a leader then releases the lease and tells the followers, so
 * that one takes over at once instead of after the lease runs out.
 */
export async function giveUpLease(ctx: LeaseContext): Promise<void> {
  ctx.stopped = true;
  clearTimeout(ctx.timer);
  clearTimeout(ctx.deadline);
  ctx.unsubscribe?.();
  await ctx.busy;
  if (ctx.role.role !== 'leader') return;
  const { epoch } = ctx.role;
  const { replicaId, log } = ctx;
  ctx.role = { role: 'follower' };
  try {
    await ctx.store.release(replicaId, epoch);
    await ctx.signal.notifyLeaseReleased();
    log.info({ replicaId, epoch }, 'leader lease given up');
  } catch (error) {
    log.warn(
      { replicaId, epoch, err: errorFields(error) },
      'could not give the leader lease up; it expires by itself',
    );
  }
}
