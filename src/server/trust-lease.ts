import { deposeLeader } from './depose-leader.js';
import { isTrusted, type LeaseContext } from './lease-context.js';

/**
 * The leader trusts its lease for this fraction of its lifetime, counted from when the renewal
 * that granted it was sent: the database's expiry is later than that, so the leader stops
 * before any other replica can start.
 */
const TRUSTED_FRACTION = 0.9;

export const LEASE_RAN_OUT =
  'the lease could not be renewed before it ran out (is the database reachable?)';

/** Trusts the lease granted by a request sent at `sentAt`, and deposes when that runs out. */
export function trustLease(ctx: LeaseContext, sentAt: number): void {
  if (ctx.role.role !== 'leader') return;
  ctx.role.trustedUntil = sentAt + ctx.timings.leaseTtlMs * TRUSTED_FRACTION;
  armDeadline(ctx);
}

/** Deposes the leader the moment its trust runs out, unless a renewal extends it first. */
function armDeadline(ctx: LeaseContext): void {
  clearTimeout(ctx.deadline);
  if (ctx.role.role !== 'leader') return;
  // Timers may fire a little early by this clock: then it is armed again for the rest.
  ctx.deadline = setTimeout(
    () => {
      if (ctx.role.role !== 'leader') return;
      if (isTrusted(ctx, ctx.role)) armDeadline(ctx);
      else deposeLeader(ctx, LEASE_RAN_OUT);
    },
    Math.max(1, ctx.role.trustedUntil - ctx.clock.now() + 1),
  );
  ctx.deadline.unref();
}
