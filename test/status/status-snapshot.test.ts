import { describe, expect, it } from '@jest/globals';
import type { WaitReason } from '../../src/controller/plan.js';
import { createRecentRefusals } from '../../src/status/recent-refusals.js';
import { createStatusHistory } from '../../src/status/status-history.js';
import { buildStatusSnapshot, type StatusInput } from '../../src/status/status-snapshot.js';
import { job, runner } from '../../sim/records.js';

const NOW = 10_000_000;

function input(overrides: Partial<StatusInput> = {}): StatusInput {
  return {
    now: NOW,
    maxRunners: 10,
    jobs: [],
    runners: [],
    waitReasons: new Map(),
    refusals: [],
    history: [],
    ...overrides,
  };
}

describe('buildStatusSnapshot', () => {
  it('lists live runners with class, repository, job, age and sandbox, oldest first', () => {
    const snapshot = buildStatusSnapshot(
      input({
        jobs: [job(1, { repo: 'acme/web', status: 'in_progress' }), job(2, { repo: 'acme/api' })],
        runners: [
          runner('r-new', { state: 'booting', launchedForJobId: 2, createdAt: NOW - 5_000 }),
          runner('r-old', {
            state: 'busy',
            launchedForJobId: 2,
            tookJobId: 1,
            createdAt: NOW - 125_000,
            runnerClass: 'modal-gpu',
          }),
          runner('r-done', { state: 'done', createdAt: NOW - 1_000 }),
        ],
      }),
    );
    expect(snapshot.runners).toEqual([
      {
        name: 'r-old',
        runnerClass: 'modal-gpu',
        state: 'busy',
        repo: 'acme/web',
        jobId: 1,
        sandboxId: 'sb-r-old',
        ageSeconds: 125,
        foreign: false,
      },
      {
        name: 'r-new',
        runnerClass: 'modal',
        state: 'booting',
        repo: 'acme/api',
        jobId: 2,
        sandboxId: 'sb-r-new',
        ageSeconds: 5,
        foreign: false,
      },
    ]);
    expect(snapshot.summary).toEqual({
      liveRunners: 2,
      queuedJobs: 1,
      inProgressJobs: 1,
      maxRunners: 10,
      runnersByClass: { modal: 1, 'modal-gpu': 1 },
      foreignJobs: 0,
    });
  });

  it('counts runners by class in the order of the class names, whatever order they started in', () => {
    const classes = ['modal-gpu', 'modal', 'big', 'modal', 'modal-gpu'];
    const runners = classes.map((runnerClass, i) =>
      runner(`r${i}`, { state: 'idle', runnerClass, createdAt: NOW - (10 - i) * 1000 }),
    );
    for (const order of [runners, [...runners].reverse()]) {
      const { runnersByClass } = buildStatusSnapshot(input({ runners: order })).summary;
      expect(Object.entries(runnersByClass)).toEqual([
        ['big', 1],
        ['modal', 2],
        ['modal-gpu', 2],
      ]);
    }
  });

  it('orders the queue as the controller launches it and says why each job waits', () => {
    const waitReasons = new Map<number, WaitReason>([
      [3, 'cap'],
      [4, 'class-cap'],
    ]);
    const snapshot = buildStatusSnapshot(
      input({
        jobs: [
          job(1, { repo: 'acme/a', queuedAt: NOW - 60_000 }),
          job(2, { repo: 'acme/a', queuedAt: NOW - 50_000 }),
          job(3, { repo: 'acme/b', queuedAt: NOW - 40_000 }),
          job(4, { repo: 'acme/b', queuedAt: NOW - 30_000 }),
          job(5, {
            repo: 'acme/c',
            queuedAt: NOW - 20_000,
            nextAttemptAt: NOW + 5_000,
            launchAttempts: 2,
            lastError: 'Modal create-sandbox failed (RESOURCE_EXHAUSTED)',
          }),
        ],
        runners: [runner('r1', { state: 'launching', launchedForJobId: 1 })],
        waitReasons,
      }),
    );
    // Round-robin by repository (a, b, c), oldest first inside one.
    expect(snapshot.queue.map((q) => [q.position, q.jobId, q.reason])).toEqual([
      [1, 1, 'runner-starting'],
      [2, 3, 'cap'],
      [3, 5, 'backoff'],
      [4, 2, 'pending'],
      [5, 4, 'class-cap'],
    ]);
    expect(snapshot.queue[2]).toMatchObject({
      waitingSeconds: 20,
      attempts: 2,
      lastError: 'Modal create-sandbox failed (RESOURCE_EXHAUSTED)',
    });
  });

  it('shows failed runners and refusals of the last hour, newest first, with their cause', () => {
    const refusals = createRecentRefusals();
    refusals.add({ at: NOW - 7_200_000, repo: 'acme/old', jobId: 8, reason: 'too old to show' });
    refusals.add({
      at: NOW - 1_000,
      repo: 'evil/fork',
      jobId: 9,
      reason: 'repository evil/fork is not in ALLOWED_REPOS',
    });
    const snapshot = buildStatusSnapshot(
      input({
        jobs: [job(7)],
        runners: [
          runner('r-failed', {
            state: 'failed',
            launchedForJobId: 7,
            updatedAt: NOW - 2_000,
            lastError: 'GitHub generate-jitconfig failed (403)',
          }),
          runner('r-ancient', { state: 'failed', updatedAt: NOW - 3_700_000, lastError: 'old' }),
        ],
        refusals: refusals.list(),
      }),
    );
    expect(snapshot.failures).toEqual([
      {
        at: NOW - 1_000,
        kind: 'refused',
        subject: 'evil/fork#9',
        cause: 'repository evil/fork is not in ALLOWED_REPOS',
      },
      {
        at: NOW - 2_000,
        kind: 'runner',
        subject: 'r-failed (acme/api#7)',
        cause: 'GitHub generate-jitconfig failed (403)',
      },
    ]);
    expect(snapshot.summary.liveRunners).toBe(0);
  });

  it('caps each table at maxRows while the summary counts everything', () => {
    const jobs = Array.from({ length: 50 }, (_, i) => job(i + 1));
    const snapshot = buildStatusSnapshot(input({ jobs, maxRows: 10 }));
    expect(snapshot.queue).toHaveLength(10);
    expect(snapshot.summary.queuedJobs).toBe(50);
  });
});

describe('createStatusHistory', () => {
  it('keeps the last hour only, oldest first', () => {
    const history = createStatusHistory();
    history.record({ at: 0, liveRunners: 1, queuedJobs: 9 });
    history.record({ at: 1_800_000, liveRunners: 2, queuedJobs: 5 });
    history.record({ at: 3_700_000, liveRunners: 3, queuedJobs: 0 });
    expect(history.samples(3_700_000).map((s) => s.liveRunners)).toEqual([2, 3]);
  });

  it('is bounded by maxSamples however often it samples', () => {
    const history = createStatusHistory({ maxSamples: 5 });
    for (let at = 0; at < 100; at++) history.record({ at, liveRunners: at, queuedJobs: 0 });
    expect(history.samples(99).map((s) => s.liveRunners)).toEqual([95, 96, 97, 98, 99]);
  });
});

describe('createRecentRefusals', () => {
  it('keeps the newest `capacity` refusals, newest first', () => {
    const refusals = createRecentRefusals(2);
    for (const jobId of [1, 2, 3]) refusals.add({ at: jobId, repo: 'a/b', jobId, reason: 'x' });
    expect(refusals.list().map((r) => r.jobId)).toEqual([3, 2]);
  });
});
