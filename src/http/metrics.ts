import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Metrics } from '../ports/metrics.js';
import { LIVE_RUNNER_STATES } from '../domain/runner-state.js';
import type { Ledger } from '../ledger/ledger.js';
import type { LeaderInfo } from '../ports/leadership.js';
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
export function createPrometheusMetrics(options: {
  readonly ledger: Ledger;
  /** Which replica this is and which one leads. */
  readonly leadership?: () => LeaderInfo;
}): PrometheusMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'modal_runner_' });
  const p = 'modal_runner_';

  const webhooks = new Counter({
    name: `${p}webhooks_total`,
    help: 'Webhook deliveries handled, by event, action and outcome.',
    labelNames: ['event', 'action', 'outcome'],
    registers: [registry],
  });
  const launches = new Counter({
    name: `${p}launches_total`,
    help: 'Runner launches (JIT config + sandbox), by class and result.',
    labelNames: ['class', 'result'],
    registers: [registry],
  });
  const launchSeconds = new Histogram({
    name: `${p}launch_duration_seconds`,
    help: 'Time from the start of a launch to the sandbox being created.',
    labelNames: ['class'],
    buckets: [0.25, 0.5, 1, 2, 5, 10, 30, 60, 120, 300],
    registers: [registry],
  });
  const jobWait = new Histogram({
    name: `${p}job_wait_seconds`,
    help: 'Time a job of ours waited from queued to in_progress.',
    labelNames: ['class'],
    buckets: [1, 5, 10, 20, 30, 60, 120, 300, 600, 1800],
    registers: [registry],
  });
  const reconcileRuns = new Counter({
    name: `${p}reconcile_runs_total`,
    help: 'Reconciliation passes.',
    registers: [registry],
  });
  const repairs = new Counter({
    name: `${p}reconcile_repairs_total`,
    help: 'Repairs made by reconciliation, by kind.',
    labelNames: ['kind'],
    registers: [registry],
  });
  const redeliveries = new Counter({
    name: `${p}redeliveries_total`,
    help: 'Failed webhook deliveries asked to be redelivered.',
    registers: [registry],
  });
  const errors = new Counter({
    name: `${p}errors_total`,
    help: 'Errors, by cause.',
    labelNames: ['cause'],
    registers: [registry],
  });
  const rateLimit = new Gauge({
    name: `${p}github_rate_limit_remaining`,
    help: 'x-ratelimit-remaining of the last GitHub response.',
    registers: [registry],
  });
  const foreignJobs = new Counter({
    name: `${p}foreign_jobs_total`,
    help: 'Jobs we did not launch for (another class, runs-on: self-hosted, a refused repository) that took one of our runners, by runner class.',
    labelNames: ['class'],
    registers: [registry],
  });
  const circuitOpen = new Gauge({
    name: `${p}circuit_open`,
    help: '1 while launches are stopped because the upstream keeps failing (probing included).',
    labelNames: ['upstream'],
    registers: [registry],
  });
  for (const upstream of ['github', 'modal']) circuitOpen.set({ upstream }, 0);
  new Gauge({
    name: `${p}jobs`,
    help: 'Open jobs of ours in the ledger, by state.',
    labelNames: ['state'],
    registers: [registry],
    async collect() {
      this.reset();
      const jobs = await options.ledger.listJobs(['waiting', 'queued', 'in_progress']);
      for (const state of ['waiting', 'queued', 'in_progress'] as const) {
        this.set({ state }, jobs.filter((j) => j.status === state).length);
      }
    },
  });
  new Gauge({
    name: `${p}runners`,
    help: 'Live runners, by class and state.',
    labelNames: ['class', 'state'],
    registers: [registry],
    async collect() {
      this.reset();
      const counts = new Map<string, { runnerClass: string; state: string; n: number }>();
      for (const r of await options.ledger.listRunners(LIVE_RUNNER_STATES)) {
        const key = `${r.runnerClass}\u0000${r.state}`;
        const entry = counts.get(key) ?? { runnerClass: r.runnerClass, state: r.state, n: 0 };
        entry.n += 1;
        counts.set(key, entry);
      }
      for (const { runnerClass, state, n } of counts.values())
        this.set({ class: runnerClass, state }, n);
    },
  });

  const leadership = options.leadership;
  if (leadership) {
    new Gauge({
      name: `${p}is_leader`,
      help: '1 when this replica leads (runs the controller and the reconciler), else 0; labels name this replica and the leader it sees.',
      labelNames: ['replica', 'leader'],
      registers: [registry],
      collect() {
        this.reset();
        const info = leadership();
        this.set({ replica: info.replicaId, leader: info.leader ?? 'none' }, info.isLeader ? 1 : 0);
      },
    });
    new Gauge({
      name: `${p}leader_epoch`,
      help: 'Epoch of the leader lease as this replica last saw it (rises with every new leader).',
      registers: [registry],
      collect() {
        this.set(leadership().epoch ?? 0);
      },
    });
  }

  const metrics: Metrics = {
    webhook: (event, action, outcome) => webhooks.inc({ event, action, outcome }),
    launch: (runnerClass, result, durationMs) => {
      launches.inc({ class: runnerClass, result });
      if (result === 'success') launchSeconds.observe({ class: runnerClass }, durationMs / 1000);
    },
    jobStarted: (runnerClass, waitMs) =>
      jobWait.observe({ class: runnerClass }, Math.max(0, waitMs) / 1000),
    reconciled: (report) => {
      reconcileRuns.inc();
      for (const [kind, n] of Object.entries(report.repairs)) repairs.inc({ kind }, n);
    },
    redelivered: (count) => redeliveries.inc(count),
    error: (cause) => errors.inc({ cause }),
    githubRateLimitRemaining: (remaining) => rateLimit.set(remaining),
    foreignJob: (runnerClass) => foreignJobs.inc({ class: runnerClass }),
    circuitBreaker: (upstream, state) => circuitOpen.set({ upstream }, state === 'closed' ? 0 : 1),
  };

  return { metrics, registry };
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
