import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

export const METRIC_PREFIX = 'modal_runner_';

export type MetricInstruments = ReturnType<typeof createMetricInstruments>;

/** The counters, histograms and gauges the app feeds, registered in `/metrics` order. */
export function createMetricInstruments(registry: Registry) {
  const config = <L extends string>(name: string, help: string, labelNames: L[] = []) => ({
    name: METRIC_PREFIX + name,
    help,
    labelNames,
    registers: [registry],
  });
  const counter = <L extends string = never>(name: string, help: string, labelNames?: L[]) =>
    new Counter<L>(config(name, help, labelNames));
  const gauge = <L extends string = never>(name: string, help: string, labelNames?: L[]) =>
    new Gauge<L>(config(name, help, labelNames));
  const histogram = <L extends string>(
    name: string,
    help: string,
    labelNames: L[],
    buckets: number[],
  ) => new Histogram<L>({ ...config(name, help, labelNames), buckets });

  const instruments = {
    webhooks: counter(
      'webhooks_total',
      'Webhook deliveries handled, by event, action and outcome.',
      ['event', 'action', 'outcome'],
    ),
    launches: counter(
      'launches_total',
      'Runner launches (JIT config + sandbox), by class and result.',
      ['class', 'result'],
    ),
    launchSeconds: histogram(
      'launch_duration_seconds',
      'Time from the start of a launch to the sandbox being created.',
      ['class'],
      [0.25, 0.5, 1, 2, 5, 10, 30, 60, 120, 300],
    ),
    jobWait: histogram(
      'job_wait_seconds',
      'Time a job of ours waited from queued to in_progress.',
      ['class'],
      [1, 5, 10, 20, 30, 60, 120, 300, 600, 1800],
    ),
    reconcileRuns: counter('reconcile_runs_total', 'Reconciliation passes.'),
    repairs: counter('reconcile_repairs_total', 'Repairs made by reconciliation, by kind.', [
      'kind',
    ]),
    redeliveries: counter(
      'redeliveries_total',
      'Failed webhook deliveries asked to be redelivered.',
    ),
    errors: counter('errors_total', 'Errors, by cause.', ['cause']),
    rateLimit: gauge(
      'github_rate_limit_remaining',
      'x-ratelimit-remaining of the last GitHub response.',
    ),
    foreignJobs: counter(
      'foreign_jobs_total',
      'Jobs we did not launch for (another class, runs-on: self-hosted, a refused repository) that took one of our runners, by runner class.',
      ['class'],
    ),
    circuitOpen: gauge(
      'circuit_open',
      '1 while launches are stopped because the upstream keeps failing (probing included).',
      ['upstream'],
    ),
  };
  for (const upstream of ['github', 'modal']) instruments.circuitOpen.set({ upstream }, 0);
  return instruments;
}
