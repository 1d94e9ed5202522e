/**
 * Timings that are not environment variables: sane for production, shortened by the tests and
 * the simulator (`startServer` takes a partial override). Every default lives here only.
 */
export interface Timings {
  /** Between listings of the running sandboxes that find the ones that exited. */
  readonly exitWatchIntervalMs: number;
  /** A sandbox changed this recently may be missing from the listing without having exited. */
  readonly exitWatchLagMs: number;
  /** Between reconciliations (RECONCILE_INTERVAL_SECONDS). */
  readonly reconcileIntervalMs: number;
  /** Tries of one GitHub or Modal call inside a launch or a retirement (the first included). */
  readonly retryPolicy: {
    readonly attempts: number;
    readonly baseDelayMs: number;
    readonly maxDelayMs: number;
  };
  /**
   * Per upstream (GitHub, Modal): consecutive failures that stop launches, and how long they
   * stop before one launch probes again (doubling up to the maximum).
   */
  readonly circuitBreaker: {
    readonly threshold: number;
    readonly baseOpenMs: number;
    readonly maxOpenMs: number;
  };
  /** Deadline of one GitHub call; past it the call fails as a retryable network error. */
  readonly githubCallTimeoutMs: number;
  /** Deadline of one Modal call (create, stdin write, terminate, list; not the exit wait). */
  readonly modalCallTimeoutMs: number;
  /** Backoff between failed launches for one job. */
  readonly launchBackoff: { readonly baseDelayMs: number; readonly maxDelayMs: number };
  /** A runner no queued job needs is retired once it has been unneeded this long. */
  readonly idleGraceMs: number;
  /** Queued jobs older than this are checked against GitHub by the reconciler. */
  readonly staleJobMs: number;
  /** A job checked once is checked again after this long, doubling each time up to an hour. */
  readonly staleJobRecheckMs: number;
  /** A sandbox missing from Modal's listing this soon after its runner changed is not yet gone. */
  readonly sandboxListLagMs: number;
  /** A registration with no runner of ours behind it is deleted after this long. */
  readonly orphanRegistrationMs: number;
  /** GitHub calls one reconciliation may make at most. */
  readonly reconcileApiBudget: number;
  /** Oldest a warm sandbox may be when a job takes it (also capped at a quarter of its lifetime). */
  readonly warmMaxAgeMs: number;
  /** How often the status page's chart takes a sample. */
  readonly statusSampleMs: number;
  /** Finished jobs and runners are forgotten after this long. */
  readonly retentionMs: number;
  /**
   * Several replicas (DATABASE_URL): the leader's lease lasts this long unless renewed; a
   * follower takes over at most this long (plus `leaseRetryMs`) after the leader died.
   */
  readonly leaseTtlMs: number;
  /** How often the leader renews its lease (well under `leaseTtlMs`). */
  readonly leaseRenewMs: number;
  /** How often a follower tries to take the lease. */
  readonly leaseRetryMs: number;
  /** Between passes of the cache volumes' cleanup (TTL and size cap; classes with `cache`). */
  readonly cacheCleanupIntervalMs: number;
  /**
   * RUNNER_VERSION=latest: how often the newest runner is asked for (a day), and how soon a
   * failed question or image build is tried again (also the loop's interval).
   */
  readonly runnerVersion: { readonly refreshMs: number; readonly retryMs: number };
  /**
   * The job records of the runners' job hooks: how often the leader looks for sandboxes not yet
   * tagged with the job they ran, how soon one read without a record is read again, and how
   * many sandboxes one pass reads at most (one exec each).
   */
  readonly jobRecords: {
    readonly intervalMs: number;
    readonly rereadMs: number;
    readonly maxReads: number;
  };
}

/** Every timing but those set by environment variables. */
export const DEFAULT_TIMINGS: Omit<Timings, 'reconcileIntervalMs'> = {
  retryPolicy: { attempts: 5, baseDelayMs: 500, maxDelayMs: 15_000 },
  exitWatchIntervalMs: 10_000,
  exitWatchLagMs: 5_000,
  circuitBreaker: { threshold: 3, baseOpenMs: 5_000, maxOpenMs: 300_000 },
  githubCallTimeoutMs: 30_000,
  modalCallTimeoutMs: 60_000,
  launchBackoff: { baseDelayMs: 5_000, maxDelayMs: 300_000 },
  idleGraceMs: 60_000,
  staleJobMs: 120_000,
  staleJobRecheckMs: 300_000,
  sandboxListLagMs: 30_000,
  orphanRegistrationMs: 120_000,
  reconcileApiBudget: 100,
  warmMaxAgeMs: 30 * 60_000,
  statusSampleMs: 30_000,
  retentionMs: 7 * 24 * 3600_000,
  leaseTtlMs: 6_000,
  leaseRenewMs: 1_500,
  leaseRetryMs: 1_000,
  cacheCleanupIntervalMs: 15 * 60_000,
  runnerVersion: { refreshMs: 24 * 3600_000, retryMs: 3600_000 },
  jobRecords: { intervalMs: 60_000, rereadMs: 60_000, maxReads: 50 },
};
