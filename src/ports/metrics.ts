export type WebhookOutcome = 'recorded' | 'ignored' | 'refused' | 'malformed' | 'failed';

/** What the app, the controller and the reconciler report for `/metrics`. */
export interface Metrics {
  webhook(event: string, action: string, outcome: WebhookOutcome): void;
  launch(runnerClass: string, result: 'success' | 'failure', durationMs: number): void;
  /** A job of ours started: how long it waited from queued to in_progress. */
  jobStarted(runnerClass: string, waitMs: number): void;
  reconciled(report: { readonly repairs: Readonly<Record<string, number>> }): void;
  redelivered(count: number): void;
  error(cause: string): void;
  githubRateLimitRemaining(remaining: number): void;
  /** A job we did not launch for took one of our runners. */
  foreignJob(runnerClass: string): void;
  /** A circuit breaker changed state (`closed`, `open` or `probing`). */
  circuitBreaker(upstream: string, state: string): void;
}

export const noMetrics: Metrics = {
  webhook: () => {},
  launch: () => {},
  jobStarted: () => {},
  reconciled: () => {},
  redelivered: () => {},
  error: () => {},
  githubRateLimitRemaining: () => {},
  circuitBreaker: () => {},
  foreignJob: () => {},
};
