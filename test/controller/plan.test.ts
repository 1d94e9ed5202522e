import { describe, expect, it } from '@jest/globals';
import { fairOrder, plan, type Action, type PlanCaps } from '../../src/controller/plan.js';
import type { JobRecord, RunnerRecord } from '../../src/ledger/ledger.js';
import { job, runner } from '../../sim/records.js';

const caps = (overrides: Partial<PlanCaps> = {}): PlanCaps => ({
  maxRunners: 10,
  classMaxRunners: new Map(),
  idleGraceMs: 60_000,
  bootTimeoutMs: 300_000,
  ...overrides,
});

const NOW = 1_000_000;

function run(
  queuedJobs: JobRecord[],
  runners: RunnerRecord[] = [],
  c: PlanCaps = caps(),
  inFlight: string[] = [],
) {
  return plan({ queuedJobs, runners, inFlight: new Set(inFlight) }, c, NOW);
}
const launchedJobIds = (actions: readonly Action[]) =>
  actions.flatMap((a) => (a.kind === 'launch' ? [a.job.id] : []));
const kinds = (actions: readonly Action[]) =>
  actions.map(
    (a) =>
      `${a.kind}:${'runner' in a ? a.runner.name : a.kind === 'warm' ? a.runnerClass : a.job.id}`,
  );

describe('plan: deficit per class', () => {
  it.each([
    {
      name: 'one launch per uncovered queued job',
      jobs: [1, 2, 3],
      runners: [],
      expected: [1, 2, 3],
    },
    {
      name: 'a booting runner launched for a job covers it',
      jobs: [1, 2],
      runners: [runner('r1', { launchedForJobId: 1, createdAt: NOW, updatedAt: NOW })],
      expected: [2],
    },
    {
      name: 'a launching runner covers the job it was launched for',
      jobs: [1],
      runners: [
        runner('r1', { state: 'launching', launchedForJobId: 1, runnerId: null, sandboxId: null }),
      ],
      expected: [],
    },
    {
      name: 'a spare idle runner covers the oldest uncovered job',
      jobs: [1, 2],
      runners: [runner('r1', { state: 'idle', launchedForJobId: 99, updatedAt: NOW })],
      expected: [2],
    },
    {
      name: 'busy runners are not supply',
      jobs: [1],
      runners: [runner('r1', { state: 'busy', launchedForJobId: 1, tookJobId: 5 })],
      expected: [1],
    },
    {
      name: 'stolen runner: launched for 1 but busy with another job, job 1 is refilled at once',
      jobs: [1],
      runners: [runner('r1', { state: 'busy', launchedForJobId: 1, tookJobId: 2 })],
      expected: [1],
    },
  ])('$name', ({ jobs, runners, expected }) => {
    const result = run(
      jobs.map((id) => job(id)),
      runners,
    );
    expect(launchedJobIds(result.actions)).toEqual(expected);
  });

  it('supply of one class does not cover jobs of another', () => {
    const result = run(
      [job(1, { runnerClass: 'modal-gpu' })],
      [runner('r1', { state: 'idle', runnerClass: 'modal', updatedAt: NOW })],
    );
    expect(launchedJobIds(result.actions)).toEqual([1]);
  });
});

describe('plan: caps', () => {
  it('launches no more than MAX_RUNNERS minus live runners, and says the rest wait for the cap', () => {
    const jobs = Array.from({ length: 20 }, (_, i) => job(i + 1));
    const busy = Array.from({ length: 6 }, (_, i) => runner(`b${i}`, { state: 'busy' }));
    const result = run(jobs, busy, caps({ maxRunners: 10 }));
    expect(launchedJobIds(result.actions)).toEqual([1, 2, 3, 4]);
    expect(result.waiting.get(5)).toBe('cap');
    expect(result.waiting.size).toBe(16);
  });

  it('counts finishing runners against the cap (their sandbox may still live)', () => {
    const result = run([job(1)], [runner('f', { state: 'finishing' })], caps({ maxRunners: 1 }));
    expect(launchedJobIds(result.actions)).toEqual([]);
    expect(kinds(result.actions)).toEqual(['terminate:f']);
  });

  it('holds a class to its maxRunners while other classes go on', () => {
    const jobs = [
      job(1, { runnerClass: 'gpu' }),
      job(2, { runnerClass: 'gpu' }),
      job(3, { runnerClass: 'gpu' }),
      job(4),
    ];
    const result = run(
      jobs,
      [runner('g', { runnerClass: 'gpu', state: 'busy' })],
      caps({ classMaxRunners: new Map([['gpu', 2]]) }),
    );
    expect(launchedJobIds(result.actions)).toEqual([1, 4]);
    expect(result.waiting.get(2)).toBe('class-cap');
    expect(result.waiting.get(3)).toBe('class-cap');
  });

  it('skips jobs in launch backoff and says so', () => {
    const result = run([job(1, { nextAttemptAt: NOW + 1 }), job(2, { nextAttemptAt: NOW })]);
    expect(launchedJobIds(result.actions)).toEqual([2]);
    expect(result.waiting.get(1)).toBe('backoff');
  });
});

describe('plan: fairness', () => {
  it('round-robins across repositories, FIFO inside one', () => {
    const burst = Array.from({ length: 500 }, (_, i) => job(i + 1, { repo: 'acme/big' }));
    const others = [
      job(1001, { repo: 'acme/small', queuedAt: 900 }),
      job(1002, { repo: 'acme/tiny', queuedAt: 950 }),
    ];
    const result = run([...burst, ...others], [], caps({ maxRunners: 4 }));
    expect(launchedJobIds(result.actions)).toEqual([1, 1001, 1002, 2]);
  });

  it('fairOrder keeps FIFO within a repository', () => {
    const order = fairOrder([
      job(3, { repo: 'a/x', queuedAt: 3 }),
      job(1, { repo: 'a/x', queuedAt: 1 }),
      job(2, { repo: 'a/y', queuedAt: 2 }),
    ]);
    expect(order.map((j) => j.id)).toEqual([1, 2, 3]);
  });
});

describe('fairOrder on any input order', () => {
  it('gives the same order for a queue listed oldest first and for the same queue shuffled', () => {
    const jobs = Array.from({ length: 300 }, (_, i) =>
      job(i + 1, { repo: `acme/r${(i * 7) % 5}`, queuedAt: 1_000 + Math.floor(i / 3) }),
    );
    let seed = 42;
    const random = () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
    const shuffled = [...jobs].sort(() => random() - 0.5);
    expect(shuffled.map((j) => j.id)).not.toEqual(jobs.map((j) => j.id));
    const expected = fairOrder(jobs).map((j) => j.id);
    expect(fairOrder(shuffled).map((j) => j.id)).toEqual(expected);
    // Round n holds each repository's n-th oldest job, rounds oldest first inside.
    const rounds = new Map<string, number>();
    const roundOf = fairOrder(jobs).map((j) => {
      const n = rounds.get(j.repo) ?? 0;
      rounds.set(j.repo, n + 1);
      return n;
    });
    expect(roundOf).toEqual([...roundOf].sort((a, b) => a - b));
  });
});

describe('plan: scale-down', () => {
  it('retires a surplus runner after the idle grace period (job cancelled while it booted)', () => {
    const result = run(
      [],
      [
        runner('r1', {
          state: 'booting',
          launchedForJobId: 1,
          createdAt: NOW - 61_000,
          updatedAt: NOW - 61_000,
        }),
      ],
    );
    expect(kinds(result.actions)).toEqual(['retire:r1']);
  });

  it('keeps a surplus runner inside the grace period', () => {
    const result = run(
      [],
      [runner('r1', { state: 'idle', updatedAt: NOW - 10_000, createdAt: NOW - 10_000 })],
    );
    expect(result.actions).toEqual([]);
  });

  it('retires only the surplus, oldest first', () => {
    const runners = [
      runner('old', { state: 'idle', createdAt: 1, updatedAt: 1 }),
      runner('new', { state: 'idle', createdAt: 2, updatedAt: 2 }),
    ];
    const result = run([job(1)], runners);
    expect(kinds(result.actions)).toEqual(['retire:old']);
  });

  it('retires a runner that never came online within the boot timeout and replaces it', () => {
    const stuck = runner('stuck', {
      state: 'booting',
      launchedForJobId: 1,
      createdAt: NOW - 300_000,
      updatedAt: NOW - 300_000,
    });
    const result = run([job(1)], [stuck]);
    expect(kinds(result.actions)).toEqual(['retire:stuck', 'launch:1']);
  });

  it('waits the idle grace again after a failed retirement touched a stuck runner', () => {
    const stuck = runner('stuck', {
      state: 'booting',
      launchedForJobId: 1,
      createdAt: NOW - 600_000,
      updatedAt: NOW - 1_000,
    });
    expect(kinds(run([job(1)], [stuck]).actions)).toEqual([]);
  });

  it('never touches launching, busy or in-flight runners', () => {
    const runners = [
      runner('l', { state: 'launching', createdAt: 0, updatedAt: 0 }),
      runner('b', { state: 'busy', createdAt: 0, updatedAt: 0 }),
      runner('f', { state: 'idle', createdAt: 0, updatedAt: 0 }),
    ];
    const result = run([], runners, caps(), ['f']);
    expect(result.actions).toEqual([]);
  });
});

describe('plan: warm pools', () => {
  const pools = (size: number, maxAgeMs = 600_000) =>
    caps({ warmPools: new Map([['modal', { size, maxAgeMs }]]) });
  const warm = (name: string, overrides: Partial<RunnerRecord> = {}) =>
    runner(name, { state: 'warm', runnerId: null, createdAt: NOW - 1_000, ...overrides });

  it('boots the pool when nothing is queued', () => {
    expect(kinds(run([], [], pools(2)).actions)).toEqual(['warm:modal', 'warm:modal']);
  });

  it('a queued job takes the oldest ready warm sandbox without a slot, then the pool refills', () => {
    const result = run([job(1)], [warm('w-new', { createdAt: NOW - 10 }), warm('w-old')], pools(2));
    const launch = result.actions.find((a) => a.kind === 'launch');
    expect(launch).toMatchObject({ job: { id: 1 }, warm: { name: 'w-old' } });
    expect(kinds(result.actions)).toEqual(['launch:1', 'warm:modal']);
  });

  it('warm sandboxes count against MAX_RUNNERS: jobs come first, the pool gets what is left', () => {
    const result = run([job(1), job(2)], [], { ...pools(3), maxRunners: 3 });
    expect(kinds(result.actions)).toEqual(['launch:1', 'launch:2', 'warm:modal']);
  });

  it('a warm sandbox still being created is neither used nor doubled', () => {
    const result = run([job(1)], [warm('w1', { sandboxId: null })], pools(1), ['w1']);
    expect(kinds(result.actions)).toEqual(['launch:1']);
    expect(result.actions[0]).not.toHaveProperty('warm');
  });

  it('recycles a warm sandbox past its age, one whose creation was cut off, and a surplus', () => {
    const result = run(
      [],
      [
        warm('w-stale', { createdAt: NOW - 700_000 }),
        warm('w-cut', { sandboxId: null }),
        warm('w-ok1', { createdAt: NOW - 3 }),
        warm('w-ok2', { createdAt: NOW - 2 }),
        warm('w-extra', { createdAt: NOW - 1 }),
      ],
      pools(2),
    );
    expect(kinds(result.actions).sort()).toEqual([
      'terminate:w-cut',
      'terminate:w-extra',
      'terminate:w-stale',
    ]);
  });

  it('no pool, no warm sandboxes: a leftover one is terminated', () => {
    expect(kinds(run([], [warm('w1')]).actions)).toEqual(['terminate:w1']);
  });
});
