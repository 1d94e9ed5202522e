import { describe, expect, it } from '@jest/globals';
import { pino } from 'pino';
import { createMemoryLedger } from '../../src/ledger/memory-ledger.js';
import { createApiBudget } from '../../src/reconciler/api-budget.js';
import {
  emptyReconcilerMemory,
  type ReconcilerContext,
} from '../../src/reconciler/reconciler-context.js';
import { refreshStaleJobs } from '../../src/reconciler/refresh-stale-jobs.js';
import { InMemoryGitHub } from '../../sim/in-memory-github.js';
import { jobObservation, runner } from '../../sim/records.js';

const MINUTE = 60_000;
const T0 = 1_700_000_000_000;

function setup() {
  const ledger = createMemoryLedger();
  const github = new InMemoryGitHub();
  const ctx = {
    ledger,
    github,
    log: pino({ level: 'silent' }),
    settings: { staleJobMs: 2 * MINUTE, staleJobRecheckMs: 5 * MINUTE },
    memory: emptyReconcilerMemory(),
  } as unknown as ReconcilerContext;
  const observe = (
    id: number,
    status: 'queued' | 'in_progress',
    runnerName: string | null = null,
  ) => ledger.observeJob(jobObservation(id, { status, runnerName, at: T0 }));
  const checks = () => github.log.argsOf<{ jobId: number }>('github.getJob').map((a) => a.jobId);
  return { ctx, ledger, github, observe, checks };
}

describe('refreshStaleJobs', () => {
  it('checks a job still queued at most every five minutes, then ten, twenty…, up to an hour', async () => {
    const { ctx, github, observe, checks } = setup();
    await observe(1, 'queued');
    github.jobs.set(1, { status: 'queued', conclusion: null, runnerName: null });
    // One tick a minute for three hours.
    for (let minute = 0; minute <= 180; minute++) {
      await refreshStaleJobs(ctx, createApiBudget(100), T0 + minute * MINUTE);
    }
    const calls = checks().length;
    // At 2, 7, 17, 37, 77, 137 min, then every hour (the cap): 6 checks, not 179.
    expect(calls).toBe(6);
  });

  it('a running job whose runner is gone is checked too; one whose runner is live is left to it', async () => {
    const { ctx, ledger, github, observe, checks } = setup();
    await ledger.insertRunner(runner('live-runner', { state: 'busy' }));
    await observe(1, 'in_progress', 'live-runner');
    await observe(2, 'in_progress', 'gone-runner');
    github.jobs.set(2, { status: 'completed', conclusion: 'success', runnerName: 'gone-runner' });
    const result = await refreshStaleJobs(ctx, createApiBudget(100), T0 + 3 * MINUTE);
    expect(checks()).toEqual([2]);
    expect(result).toEqual({ checked: 1, closed: 1 });
    expect((await ledger.getJob(2))?.status).toBe('completed');
    expect((await ledger.getJob(1))?.status).toBe('in_progress');
  });

  it('the budget bounds the checks of one tick, oldest-checked first next time', async () => {
    const { ctx, github, observe, checks } = setup();
    for (let id = 1; id <= 5; id++) {
      await observe(id, 'queued');
      github.jobs.set(id, { status: 'queued', conclusion: null, runnerName: null });
    }
    await refreshStaleJobs(ctx, createApiBudget(3), T0 + 3 * MINUTE);
    await refreshStaleJobs(ctx, createApiBudget(3), T0 + 4 * MINUTE);
    expect(checks()).toEqual([1, 2, 3, 4, 5]);
  });
});
