import type { LeaseContext } from './lease-context.js';

/** Steps down at once (the handlers end the term) and campaigns again after `leaseRetryMs`. */
export function deposeLeader(ctx: LeaseContext, reason: string): void {
  if (ctx.role.role !== 'leader') return;
  clearTimeout(ctx.deadline);
  const { epoch } = ctx.role;
  const { replicaId } = ctx;
  ctx.role = { role: 'follower' };
  if (ctx.seen.leader === replicaId && ctx.seen.epoch === epoch) {
    ctx.seen = { leader: null, epoch: null };
  }
  ctx.log.warn({ replicaId, epoch, reason }, 'no longer leader: controller and reconciler stopped');
  ctx.handlers?.onDeposed(reason);
  ctx.schedule(ctx.timings.leaseRetryMs);
}
