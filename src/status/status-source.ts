import type { WaitReason } from '../controller/plan.js';
import type { Clock } from '../domain/clock.js';
import { LIVE_RUNNER_STATES } from '../domain/runner-state.js';
import type { Ledger } from '../ledger/ledger.js';
import type { RecentRefusals } from './recent-refusals.js';
import type { StatusHistory } from './status-history.js';
import {
  buildStatusSnapshot,
  type StatusReplica,
  type StatusSnapshot,
  type UpstreamStatus,
} from './status-snapshot.js';

export interface StatusSource {
  /** Reads the ledger and the controller and builds what the status page shows. */
  snapshot(): Promise<StatusSnapshot>;
  /** Records one point of the chart (live runners, queued jobs) now. */
  sample(): Promise<void>;
}

/** The I/O half of the status page: what `buildStatusSnapshot` needs, read from the running app. */
export function createStatusSource(deps: {
  readonly ledger: Ledger;
  readonly controller: { waitReasons(): ReadonlyMap<number, WaitReason> };
  readonly history: StatusHistory;
  readonly refusals: RecentRefusals;
  readonly clock: Clock;
  readonly maxRunners: number;
  /** Which replica this is and which leads. */
  readonly replica?: () => StatusReplica;
  /** GitHub's and Modal's health (cached probes). */
  readonly upstreams?: () => Promise<readonly UpstreamStatus[]>;
  /** Lasting problems to show (the runner group guard's). */
  readonly warnings?: () => readonly string[];
  /** The runner version launches use, in words. */
  readonly runnerVersion?: () => string;
}): StatusSource {
  const { ledger, clock } = deps;
  return {
    async snapshot() {
      const [jobs, runners, upstreams] = await Promise.all([
        ledger.listJobs(['queued', 'in_progress']),
        ledger.listRunners([...LIVE_RUNNER_STATES, 'failed']),
        deps.upstreams?.(),
      ]);
      const now = clock.now();
      return buildStatusSnapshot({
        now,
        maxRunners: deps.maxRunners,
        jobs,
        runners,
        waitReasons: deps.controller.waitReasons(),
        refusals: deps.refusals.list(),
        history: deps.history.samples(now),
        ...(deps.replica ? { replica: deps.replica() } : {}),
        ...(upstreams ? { upstreams } : {}),
        warnings: deps.warnings?.() ?? [],
        ...(deps.runnerVersion ? { runnerVersion: deps.runnerVersion() } : {}),
      });
    },
    async sample() {
      const [queued, live] = await Promise.all([
        ledger.listJobs(['queued']),
        ledger.listRunners(LIVE_RUNNER_STATES),
      ]);
      deps.history.record({ at: clock.now(), liveRunners: live.length, queuedJobs: queued.length });
    },
  };
}
