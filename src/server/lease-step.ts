import { errorFields } from '../domain/error-fields.js';
import { deposeLeader } from './depose-leader.js';
import { isTrusted, type LeaseContext } from './lease-context.js';
import { LEASE_RAN_OUT, trustLease } from './trust-lease.js';

/** The next lease operation, after the one under way: a leader renews, a follower campaigns. */
export function leaseStep(ctx: LeaseContext): void {
  ctx.busy = ctx.busy.then(() => (ctx.role.role === 'leader' ? renew(ctx) : campaign(ctx)));
}

async function campaign(ctx: LeaseContext): Promise<void> {
  if (ctx.stopped || ctx.role.role === 'leader') return;
  const { replicaId, log } = ctx;
  const sentAt = ctx.clock.now();
  try {
    const lease = await ctx.store.tryAcquire(replicaId, ctx.timings.leaseTtlMs);
    ctx.seen = { leader: lease.holder, epoch: lease.epoch };
    if (lease.acquired && lease.epoch !== null && !ctx.stopped) {
      ctx.role = { role: 'leader', epoch: lease.epoch, trustedUntil: 0 };
      trustLease(ctx, sentAt);
      log.info({ replicaId, epoch: lease.epoch }, 'elected leader');
      ctx.handlers?.onElected(lease.epoch);
      ctx.schedule(ctx.timings.leaseRenewMs);
      return;
    }
  } catch (error) {
    log.warn({ replicaId, err: errorFields(error) }, 'could not read the leader lease');
  }
  ctx.schedule(ctx.timings.leaseRetryMs);
}

async function renew(ctx: LeaseContext): Promise<void> {
  if (ctx.stopped || ctx.role.role !== 'leader') return;
  const { epoch } = ctx.role;
  const { replicaId } = ctx;
  const sentAt = ctx.clock.now();
  try {
    const kept = await ctx.store.renew(replicaId, epoch, ctx.timings.leaseTtlMs);
    // Read afresh: a deposition may have come in while the renewal was under way.
    const role = ctx.role as LeaseContext['role'];
    if (role.role !== 'leader' || role.epoch !== epoch) return;
    if (!kept) {
      deposeLeader(ctx, 'the lease expired or another replica took it over');
      return;
    }
    if (!isTrusted(ctx, role)) {
      // Renewed in the database, but this process went unheard for longer than it trusts the
      // lease (paused, or starved): what it did meanwhile cannot be vouched for.
      deposeLeader(ctx, 'this process was paused for longer than the lease lasts');
      return;
    }
    trustLease(ctx, sentAt);
  } catch (error) {
    ctx.log.warn({ replicaId, epoch, err: errorFields(error) }, 'could not renew the leader lease');
    if (ctx.role.role === 'leader' && !isTrusted(ctx, ctx.role)) {
      deposeLeader(ctx, LEASE_RAN_OUT);
      return;
    }
  }
  ctx.schedule(ctx.timings.leaseRenewMs);
}
