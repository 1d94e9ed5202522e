import { Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import type { Ledger } from '../ledger/ledger.js';
import type { Metrics } from '../ports/metrics.js';
import { registerLedgerGauges } from './ledger-gauges.js';
import { createMetricInstruments, METRIC_PREFIX } from './metric-instruments.js';
import { createMetricsRecorder } from './metrics-recorder.js';
import type { UpstreamStatus } from '../status/status-snapshot.js';

export interface PrometheusMetrics {
  readonly metrics: Metrics;
  readonly registry: Registry;
}

/**
 * Prometheus metrics (prom-client) of one server. Counters and histograms are fed by the app,
 * controller and reconciler through the `Metrics` port; job and runner gauges are read from the
 * ledger when scraped.
 */
export function createPrometheusMetrics(options: { readonly ledger: Ledger }): PrometheusMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: METRIC_PREFIX });
  const instruments = createMetricInstruments(registry);
  registerLedgerGauges(registry, options.ledger);
  return { metrics: createMetricsRecorder(instruments), registry };
}

/**
 * `modal_runner_upstream_up{upstream}`: 1 when GitHub (or Modal) answered its last probe, else
 * 0, read from the cached probes when scraped. Registered once the probes exist (they need the
 * GitHub clients, which report to the metrics above).
 */
export function registerUpstreamGauge(
  registry: Registry,
  upstreams: () => Promise<readonly UpstreamStatus[]>,
): void {
  new Gauge({
    name: 'modal_runner_upstream_up',
    help: 'Whether an upstream (github, modal) answered its last probe: 1 yes, 0 no (cached 30 s).',
    labelNames: ['upstream'],
    registers: [registry],
    async collect() {
      this.reset();
      for (const u of await upstreams()) this.set({ upstream: u.name }, u.status === 'ok' ? 1 : 0);
    },
  });
}
