import type { Logger } from 'pino';
import type { Clock } from '../domain/clock.js';
import { errorFields } from '../domain/error-fields.js';
import type {
  LeaderInfo,
  Leadership,
  LeadershipHandlers,
  LeaseStore,
  WorkSignal,
} from '../ports/leadership.js';

export interface LeaseTimings {
  /** How long a lease lasts unless renewed. */
  readonly leaseTtlMs: number;
  /** How often the leader renews it. */
  readonly leaseRenewMs: number;
  /** How often a follower tries to take it. */
  readonly leaseRetryMs: number;
}

/**
 * The leader trusts its lease for this fraction of its lifetime, counted from when the renewal
 * that granted it was sent: the database's expiry is later than that, so the leader stops
 * before any other replica can start.
 */
const TRUSTED_FRACTION = 0.9;

type State =
  | { readonly role: 'follower' }
  | { readonly role: 'leader'; readonly epoch: number; trustedUntil: number };

/**
 * Leadership by a lease row in the shared database. Followers try to take the lease every
 * `leaseRetryMs` (at once when a leader gives it up); the leader renews it every
 * `leaseRenewMs` and trusts it, by its own clock, only until shortly before it would expire.
 * A renewal refused (taken over or expired) or the trust running out (the database
 * unreachable, or this process paused) deposes it at once.
 */
export function createLeaseLeadership(deps: {
  readonly store: LeaseStore;
  readonly signal: WorkSignal;
  readonly replicaId: string;
  readonly clock: Clock;
  readonly log: Logger;
  readonly timings: LeaseTimings;
}): Leadership {
  const { store, replicaId, clock, log } = deps;
  const { leaseTtlMs, leaseRenewMs, leaseRetryMs } = deps.timings;
  let state: State = { role: 'follower' };
  let seen: { leader: string | null; epoch: number | null } = { leader: null, epoch: null };
  let handlers: LeadershipHandlers | undefined;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let deadline: NodeJS.Timeout | undefined;
  /** One lease operation at a time. */
  let busy: Promise<void> = Promise.resolve();
  let unsubscribe: (() => void) | undefined;

  const trusted = (s: State): s is Extract<State, { role: 'leader' }> =>
    s.role === 'leader' && clock.now() < s.trustedUntil;

  function schedule(ms: number): void {
    clearTimeout(timer);
    if (stopped) return;
    timer = setTimeout(step, ms);
    timer.unref();
  }

  function trustUntil(sentAt: number): void {
    if (state.role !== 'leader') return;
    state.trustedUntil = sentAt + leaseTtlMs * TRUSTED_FRACTION;
    armDeadline();
  }

  /** Deposes the leader the moment its trust runs out, unless a renewal extends it first. */
  function armDeadline(): void {
    clearTimeout(deadline);
    if (state.role !== 'leader') return;
    // Timers may fire a little early by this clock: then it is armed again for the rest.
    deadline = setTimeout(
      () => {
        if (state.role !== 'leader') return;
        if (trusted(state)) armDeadline();
        else
          depose('the lease could not be renewed before it ran out (is the database reachable?)');
      },
      Math.max(1, state.trustedUntil - clock.now() + 1),
    );
    deadline.unref();
  }

  function depose(reason: string): void {
    if (state.role !== 'leader') return;
    clearTimeout(deadline);
    const { epoch } = state;
    state = { role: 'follower' };
    if (seen.leader === replicaId && seen.epoch === epoch) seen = { leader: null, epoch: null };
    log.warn({ replicaId, epoch, reason }, 'no longer leader: controller and reconciler stopped');
    handlers?.onDeposed(reason);
    schedule(leaseRetryMs);
  }

  function step(): void {
    busy = busy.then(() => (state.role === 'leader' ? renew() : campaign()));
  }

  async function campaign(): Promise<void> {
    if (stopped || state.role === 'leader') return;
    const sentAt = clock.now();
    try {
      const lease = await store.tryAcquire(replicaId, leaseTtlMs);
      seen = { leader: lease.holder, epoch: lease.epoch };
      if (lease.acquired && lease.epoch !== null && !stopped) {
        state = { role: 'leader', epoch: lease.epoch, trustedUntil: 0 };
        trustUntil(sentAt);
        log.info({ replicaId, epoch: lease.epoch }, 'elected leader');
        handlers?.onElected(lease.epoch);
        schedule(leaseRenewMs);
        return;
      }
    } catch (error) {
      log.warn({ replicaId, err: errorFields(error) }, 'could not read the leader lease');
    }
    schedule(leaseRetryMs);
  }

  async function renew(): Promise<void> {
    if (stopped || state.role !== 'leader') return;
    const { epoch } = state;
    const sentAt = clock.now();
    try {
      const kept = await store.renew(replicaId, epoch, leaseTtlMs);
      if (state.role !== 'leader' || state.epoch !== epoch) return;
      if (!kept) {
        depose('the lease expired or another replica took it over');
        return;
      }
      if (!trusted(state)) {
        // Renewed in the database, but this process went unheard for longer than it trusts the
        // lease (paused, or starved): what it did meanwhile cannot be vouched for.
        depose('this process was paused for longer than the lease lasts');
        return;
      }
      trustUntil(sentAt);
    } catch (error) {
      log.warn({ replicaId, epoch, err: errorFields(error) }, 'could not renew the leader lease');
      if (state.role === 'leader' && !trusted(state)) {
        depose('the lease could not be renewed before it ran out (is the database reachable?)');
        return;
      }
    }
    schedule(leaseRenewMs);
  }

  return {
    replicaId,
    start(h) {
      handlers = h;
      unsubscribe = deps.signal.onLeaseReleased(() => {
        if (state.role === 'follower') schedule(0);
      });
      schedule(0);
    },
    resign: (reason) => depose(reason),
    currentEpoch() {
      const s = state;
      return trusted(s) ? s.epoch : undefined;
    },
    info(): LeaderInfo {
      const s = state;
      return trusted(s)
        ? { replicaId, leader: replicaId, epoch: s.epoch, isLeader: true }
        : { replicaId, leader: seen.leader, epoch: seen.epoch, isLeader: false };
    },
    async stop() {
      stopped = true;
      clearTimeout(timer);
      clearTimeout(deadline);
      unsubscribe?.();
      await busy;
      if (state.role !== 'leader') return;
      const { epoch } = state;
      state = { role: 'follower' };
      try {
        await store.release(replicaId, epoch);
        await deps.signal.notifyLeaseReleased();
        log.info({ replicaId, epoch }, 'leader lease given up');
      } catch (error) {
        log.warn(
          { replicaId, epoch, err: errorFields(error) },
          'could not give the leader lease up; it expires by itself',
        );
      }
    },
  };
}
