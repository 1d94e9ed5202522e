/**
 * A write made for a leader term that no longer holds the lease: the database refused it (the
 * lease's epoch moved on) or this replica's own clock says the lease ran out. The caller is no
 * longer leader: it must stop planning and must not retry.
 */
export class LeadershipLostError extends Error {
  readonly code = 'leadership-lost';
  readonly retryable = false;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'LeadershipLostError';
  }
}

export function isLeadershipLost(error: unknown): boolean {
  return (
    error instanceof LeadershipLostError ||
    (typeof error === 'object' &&
      error !== null &&
      (error as { code?: unknown }).code === 'leadership-lost')
  );
}
