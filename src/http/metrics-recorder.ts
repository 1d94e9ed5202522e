import type { Metrics } from '../ports/metrics.js';
import type { MetricInstruments } from './metric-instruments.js';

/** The `Metrics` port over Prometheus instruments. */
export function createMetricsRecorder(m: MetricInstruments): Metrics {
  return {
    webhook: (event, action, outcome) => m.webhooks.inc({ event, action, outcome }),
    launch: (runnerClass, result, durationMs) => {
      m.launches.inc({ class: runnerClass, result });
      if (result === 'success') m.launchSeconds.observe({ class: runnerClass }, durationMs / 1000);
    },
    jobStarted: (runnerClass, waitMs) =>
      m.jobWait.observe({ class: runnerClass }, Math.max(0, waitMs) / 1000),
    reconciled: (report) => {
      m.reconcileRuns.inc();
      for (const [kind, n] of Object.entries(report.repairs)) m.repairs.inc({ kind }, n);
    },
    redelivered: (count) => m.redeliveries.inc(count),
    error: (cause) => m.errors.inc({ cause }),
    githubRateLimitRemaining: (remaining) => m.rateLimit.set(remaining),
    foreignJob: (runnerClass) => m.foreignJobs.inc({ class: runnerClass }),
    circuitBreaker: (upstream, state) =>
      m.circuitOpen.set({ upstream }, state === 'closed' ? 0 : 1),
  };
}
