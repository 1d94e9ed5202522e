import type { Logger } from 'pino';
import type { Clock } from '../domain/clock.js';
import type { LeadershipHandlers, LeaseStore, WorkSignal } from '../ports/leadership.js';

export interface LeaseTimings {
  /** How long a lease lasts unless renewed. */
  readonly leaseTtlMs: number;
  /** How often the leader renews it. */
  readonly leaseRenewMs: number;
  /** How often a follower tries to take it. */
  readonly leaseRetryMs: number;
}

export interface LeaseLeadershipDeps {
  readonly store: LeaseStore;
  readonly signal: WorkSignal;
  readonly replicaId: string;
  readonly clock: Clock;
  readonly log: Logger;
  readonly timings: LeaseTimings;
}

export type LeaseRole =
  | { readonly role: 'follower' }
  | { readonly role: 'leader'; readonly epoch: number; trustedUntil: number };

/**
 * The one state object the lease functions work over: the dependencies, this replica's role,
 * the leader it saw last, and the timers. `schedule` runs the next lease step after `ms`.
 */
export interface LeaseContext extends LeaseLeadershipDeps {
  role: LeaseRole;
  seen: { leader: string | null; epoch: number | null };
  handlers: LeadershipHandlers | undefined;
  stopped: boolean;
  /** The next campaign or renewal. */
  timer: NodeJS.Timeout | undefined;
  /** Deposes the leader when its trust runs out. */
  deadline: NodeJS.Timeout | undefined;
  /** One lease operation at a time. */
  busy: Promise<void>;
  unsubscribe: (() => void) | undefined;
  readonly schedule: (ms: number) => void;
}

/** This replica leads and, by its own clock, may still trust its lease. */
export const isTrusted = (
  ctx: Pick<LeaseContext, 'clock'>,
  s: LeaseRole,
): s is Extract<LeaseRole, { role: 'leader' }> =>
  s.role === 'leader' && ctx.clock.now() < s.trustedUntil;
