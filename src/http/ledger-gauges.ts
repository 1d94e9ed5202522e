import { Gauge, type Registry } from 'prom-client';
import { LIVE_RUNNER_STATES } from '../domain/runner-state.js';
import type { Ledger } from '../ledger/ledger.js';
import { METRIC_PREFIX } from './metric-instruments.js';

/** The job and runner gauges, read from the ledger when scraped. */
export function registerLedgerGauges(registry: Registry, ledger: Ledger): void {
  new Gauge({
    name: `${METRIC_PREFIX}jobs`,
    help: 'Open jobs of ours in the ledger, by state.',
    labelNames: ['state'],
    registers: [registry],
    async collect() {
      this.reset();
      const jobs = await ledger.listJobs(['waiting', 'queued', 'in_progress']);
      for (const state of ['waiting', 'queued', 'in_progress'] as const) {
        this.set({ state }, jobs.filter((j) => j.status === state).length);
      }
    },
  });
  new Gauge({
    name: `${METRIC_PREFIX}runners`,
    help: 'Live runners, by class and state.',
    labelNames: ['class', 'state'],
    registers: [registry],
    async collect() {
      this.reset();
      const counts = new Map<string, { runnerClass: string; state: string; n: number }>();
      for (const r of await ledger.listRunners(LIVE_RUNNER_STATES)) {
        const key = `${r.runnerClass}\u0000${r.state}`;
        const entry = counts.get(key) ?? { runnerClass: r.runnerClass, state: r.state, n: 0 };
        entry.n += 1;
        counts.set(key, entry);
      }
      for (const { runnerClass, state, n } of counts.values())
        this.set({ class: runnerClass, state }, n);
    },
  });
}
