import { Gauge, type Registry } from 'prom-client';
import type { LeaderInfo } from '../ports/leadership.js';
import { METRIC_PREFIX } from './metric-instruments.js';

/**
 * Which replica leads, read when scraped: `modal_runner_is_leader{replica, leader}` is 1 on the
 * leader and 0 on the others (summed over the replicas it is 1), and
 * `modal_runner_leader_epoch` rises with every new leader.
 */
export function registerLeadershipGauges(registry: Registry, leadership: () => LeaderInfo): void {
  new Gauge({
    name: `${METRIC_PREFIX}is_leader`,
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
    name: `${METRIC_PREFIX}leader_epoch`,
    help: 'Epoch of the leader lease as this replica last saw it (rises with every new leader).',
    registers: [registry],
    collect() {
      this.set(leadership().epoch ?? 0);
    },
  });
}
