/**
 * Which replica leads. Every replica serves webhooks and records jobs; only the leader runs the
 * controller and the reconciler. With one replica (SQLite, memory) it always leads; with
 * PostgreSQL the replicas hold a lease in the database (see `src/server/lease-leadership.ts`).
 */
export interface Leadership {
  /** This replica's name (REPLICA_ID, or hostname and pid). */
  readonly replicaId: string;
  /**
   * Campaigns for the lease until `stop`. `onElected` is called with the lease's epoch when this
   * replica becomes leader, `onDeposed` when it stops being one (lease lost, taken over, or the
   * database unreachable for longer than the lease lasts).
   */
  start(handlers: LeadershipHandlers): void;
  /** The epoch of the lease this replica holds and still trusts by its own clock, else undefined. */
  currentEpoch(): number | undefined;
  /**
   * The leader learnt that its lease is gone (the database refused a fenced write): it stops
   * leading at once and campaigns again like any follower.
   */
  resign(reason: string): void;
  /** Who leads, as this replica last saw it. */
  info(): LeaderInfo;
  /** Stops campaigning and gives the lease up, so that another replica takes over at once. */
  stop(): Promise<void>;
}

export interface LeadershipHandlers {
  onElected(epoch: number): void;
  onDeposed(reason: string): void;
}

export interface LeaderInfo {
  readonly replicaId: string;
  /** The lease holder; null when nobody holds a valid lease (or it is not known yet). */
  readonly leader: string | null;
  readonly epoch: number | null;
  readonly isLeader: boolean;
}

/** The lease in the shared database, as the leadership campaign uses it. */
export interface LeaseStore {
  /** Takes the lease when nobody holds a valid one; a new holder gets a higher epoch. */
  tryAcquire(holder: string, ttlMs: number): Promise<LeaseState>;
  /** Extends the lease; false when it is no longer this holder's (expired or taken over). */
  renew(holder: string, epoch: number, ttlMs: number): Promise<boolean>;
  /** Gives the lease up (it expires now), if it is still this holder's. */
  release(holder: string, epoch: number): Promise<void>;
}

export interface LeaseState {
  /** True when this call made the caller the holder. */
  readonly acquired: boolean;
  /** The current holder (the caller when acquired); null when none holds a valid lease. */
  readonly holder: string | null;
  readonly epoch: number | null;
}

/**
 * Tells the leader that a replica recorded new work, and the leader's controller that it has
 * some. With one replica both ends are the same process.
 */
export interface WorkSignal {
  /** Any replica: there is new work (cheap; coalesced). */
  notify(): void;
  /** The leader: called whenever any replica signals new work. Returns an unsubscribe. */
  onWork(listener: () => void): () => void;
  /** A lease was given up: followers may try to take it at once. */
  notifyLeaseReleased(): Promise<void>;
  onLeaseReleased(listener: () => void): () => void;
  close(): Promise<void>;
}
