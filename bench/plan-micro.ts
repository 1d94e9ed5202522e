import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { plan, type PlanCaps, type PlanSnapshot } from '../src/controller/plan.js';
import { LIVE_RUNNER_STATES, type RunnerState } from '../src/domain/runner-state.js';
import type { JobRecord, RunnerRecord } from '../src/ledger/ledger.js';
import { openSqliteLedger } from '../src/ledger/sqlite-ledger.js';
import { job, runner } from '../sim/records.js';
import { summarize, type Summary } from './summarize.js';

export interface PlanMicroResult {
  readonly jobs: number;
  readonly runners: number;
  readonly runs: number;
  /** One `plan()` call, in ms. */
  readonly plan: Summary;
  readonly launches: number;
  readonly waiting: number;
  /** Reading plan()'s inputs from the SQLite ledger as the controller does, in ms. */
  readonly ledgerRead: Summary;
}

/**
 * The state of the 10,000-job scaling run: `jobs` queued jobs over 50 repositories and
 * `runners` live runners at the MAX_RUNNERS cap (launching, booting, idle for queued jobs; busy
 * with jobs no longer queued), 16 of them with an action in flight.
 */
function snapshot(jobs: number, runners: number, now: number): PlanSnapshot {
  const queuedJobs: JobRecord[] = [];
  for (let i = 0; i < jobs; i++) {
    const id = 1_000_000 + i;
    queuedJobs.push(
      job(id, { repo: `acme/repo-${i % 50}`, createdAt: now - jobs + i, queuedAt: now - jobs + i }),
    );
  }
  const states: RunnerState[] = ['launching', 'booting', 'booting', 'idle', 'busy', 'busy'];
  const runnerRecords: RunnerRecord[] = [];
  const inFlight = new Set<string>();
  for (let i = 0; i < runners; i++) {
    const state = states[i % states.length] ?? 'booting';
    const name = `modal-modal-${i.toString(16).padStart(12, '0')}`;
    runnerRecords.push(
      runner(name, {
        runnerId: 10_000 + i,
        state,
        sandboxId: state === 'launching' ? null : `sb-${i}`,
        launchedForJobId: state === 'busy' ? 2_000_000 + i : 1_000_000 + i,
        tookJobId: state === 'busy' ? 2_000_000 + i : null,
        createdAt: now - 20_000,
        updatedAt: now - 5_000,
      }),
    );
    if (state === 'launching' && inFlight.size < 16) inFlight.add(name);
  }
  return { queuedJobs, runners: runnerRecords, inFlight };
}

/** Times the pure `plan()` in this process, after a warm-up, and the ledger read before it. */
export async function planMicro(
  jobs: number,
  runners: number,
  runs: number,
): Promise<PlanMicroResult> {
  const now = Date.now();
  const input = snapshot(jobs, runners, now);
  const caps: PlanCaps = {
    maxRunners: runners,
    classMaxRunners: new Map(),
    idleGraceMs: 60_000,
    bootTimeoutMs: 300_000,
  };
  let result = plan(input, caps, now);
  for (let i = 0; i < 20; i++) result = plan(input, caps, now);
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    result = plan(input, caps, now);
    times.push(performance.now() - started);
  }

  const dir = mkdtempSync(join(tmpdir(), 'mgr-bench-plan-'));
  const ledger = openSqliteLedger(dir);
  const reads: number[] = [];
  try {
    for (const j of input.queuedJobs) {
      await ledger.observeJob({ ...j, status: 'queued', at: j.createdAt });
    }
    for (const r of input.runners) await ledger.insertRunner(r);
    const read = () =>
      Promise.all([ledger.listJobs(['queued']), ledger.listRunners(LIVE_RUNNER_STATES)]);
    for (let i = 0; i < 5; i++) await read();
    for (let i = 0; i < Math.min(runs, 50); i++) {
      const started = performance.now();
      const [queued, live] = await read();
      reads.push(performance.now() - started);
      if (queued.length !== jobs || live.length !== runners) {
        throw new Error(`ledger read ${queued.length} jobs and ${live.length} runners`);
      }
    }
  } finally {
    await ledger.close();
    rmSync(dir, { recursive: true, force: true });
  }
  return {
    jobs,
    runners,
    runs,
    plan: summarize(times),
    launches: result.actions.filter((a) => a.kind === 'launch').length,
    waiting: result.waiting.size,
    ledgerRead: summarize(reads),
  };
}
