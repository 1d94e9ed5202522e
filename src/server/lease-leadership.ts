import type { LeaderInfo, Leadership } from '../ports/leadership.js';
import { deposeLeader } from './depose-leader.js';
import { giveUpLease } from './give-up-lease.js';
import { isTrusted, type LeaseContext, type LeaseLeadershipDeps } from './lease-context.js';
import { leaseStep } from './lease-step.js';

/**
 * Leadership by a lease row in the shared database. Followers try to take the lease every
 * `leaseRetryMs` (at once when a leader gives it up); the leader renews it every
 * `leaseRenewMs` and trusts it, by its own clock, only until shortly before it would expire
 * (`trust-lease.ts`). A renewal refused (taken over or expired) or the trust running out (the
 * database unreachable, or this process paused) deposes it at once (`depose-leader.ts`).
 */
export function createLeaseLeadership(deps: LeaseLeadershipDeps): Leadership {
  const { replicaId } = deps;
  const ctx: LeaseContext = {
    ...deps,
    role: { role: 'follower' },
    seen: { leader: null, epoch: null },
    handlers: undefined,
    stopped: false,
    timer: undefined,
    deadline: undefined,
    busy: Promise.resolve(),
    unsubscribe: undefined,
    schedule(ms) {
      clearTimeout(ctx.timer);
      if (ctx.stopped) return;
      ctx.timer = setTimeout(() => leaseStep(ctx), ms);
      ctx.timer.unref();
    },
  };
  return {
    replicaId,
    start(handlers) {
      ctx.handlers = handlers;
      ctx.unsubscribe = deps.signal.onLeaseReleased(() => {
        if (ctx.role.role === 'follower') ctx.schedule(0);
      });
      ctx.schedule(0);
    },
    resign: (reason) => deposeLeader(ctx, reason),
    currentEpoch() {
      const s = ctx.role;
      return isTrusted(ctx, s) ? s.epoch : undefined;
    },
    info(): LeaderInfo {
      const s = ctx.role;
      return isTrusted(ctx, s)
        ? { replicaId, leader: replicaId, epoch: s.epoch, isLeader: true }
        : { replicaId, leader: ctx.seen.leader, epoch: ctx.seen.epoch, isLeader: false };
    },
    stop: () => giveUpLease(ctx),
  };
}
