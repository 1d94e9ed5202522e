import { afterEach, describe, expect, it } from '@jest/globals';
import type { RunnerClass } from '../../src/config/runner-class.js';
import { ALL_RUNNER_STATES } from '../../src/domain/runner-state.js';
import type { RunnerRecord } from '../../src/ledger/ledger.js';
import { runnerBusyError } from '../../sim/in-memory-github.js';
import { TERMINATED_EXIT_CODE } from '../../sim/in-memory-sandbox-platform.js';
import { jobObservation } from '../../sim/records.js';
import {
  inMemoryController,
  settle,
  type InMemoryController as Setup,
} from './in-memory-controller.js';

/**
 * Launching a runner, through the controller's public face (a queued job in the ledger, a wake),
 * against in-memory GitHub and Modal: what is made, what is undone and in which order, and what
 * the ledger says afterwards.
 */

const cold: RunnerClass = { name: 'modal', cpu: 2, memoryMiB: 8192 };
const warmPooled: RunnerClass = { ...cold, warmPool: 1 };
const JOB_ID = 42;
/** The controller's `random` is 0: the first backoff is half of LAUNCH_BACKOFF_BASE_MS. */
const LAUNCH_BACKOFF_BASE_MS = 1_000;
const FIRST_BACKOFF_MS = LAUNCH_BACKOFF_BASE_MS / 2;

let current: Setup | undefined;

function setup(runnerClass: RunnerClass): Setup {
  // One slot: a runner left alive (busy, booting) keeps the plan from launching another.
  current = inMemoryController(runnerClass, {
    maxRunners: 1,
    launchBackoff: { baseDelayMs: LAUNCH_BACKOFF_BASE_MS, maxDelayMs: 10_000 },
  });
  return current;
}

afterEach(async () => {
  await current?.controller.stop();
  current = undefined;
});

/** Boots the warm pool's sandbox (warm classes only) and returns its runner. */
async function bootWarmPool(t: Setup): Promise<RunnerRecord> {
  t.controller.wake();
  await settle(t);
  const [warm] = await t.ledger.listRunners(['warm']);
  if (!warm?.sandboxId) throw new Error('the warm pool did not boot');
  return warm;
}

/** Queues the job, lets the controller launch for it, and returns the runner it made. */
async function launchFor(t: Setup): Promise<RunnerRecord> {
  await t.ledger.observeJob(jobObservation(JOB_ID));
  t.controller.wake();
  await settle(t);
  const launched = await launchedForJob(t);
  if (launched.length !== 1) throw new Error(`${launched.length} runners launched for the job`);
  return launched[0] as RunnerRecord;
}

async function launchedForJob(t: Setup): Promise<RunnerRecord[]> {
  const all = await t.ledger.listRunners(ALL_RUNNER_STATES);
  return all.filter((r) => r.launchedForJobId === JOB_ID);
}

/** The undo calls made, in order, as `method id`. */
function undoCalls(t: Setup, from = 0): string[] {
  return t.log.calls.slice(from).flatMap((c) => {
    const args = c.args as { runnerId?: number; sandboxId?: string };
    if (c.method === 'github.deleteRunner') return [`deleteRunner ${args.runnerId}`];
    if (c.method === 'modal.terminate') return [`terminate ${args.sandboxId}`];
    return [];
  });
}

/** The job waits out its backoff: no other runner is launched for it meanwhile. */
async function expectBackedOff(t: Setup, lastError: string | RegExp): Promise<void> {
  expect(await launchedForJob(t)).toHaveLength(1);
  const job = await t.ledger.getJob(JOB_ID);
  expect(job?.status).toBe('queued');
  expect(job?.launchAttempts).toBe(1);
  expect(job?.nextAttemptAt).toBe(t.clock.now() + FIRST_BACKOFF_MS);
  expect(job?.lastError).toMatch(lastError);
}

async function expectNotBackedOff(t: Setup): Promise<void> {
  const job = await t.ledger.getJob(JOB_ID);
  expect(job?.launchAttempts).toBe(0);
  expect(job?.nextAttemptAt).toBe(0);
  expect(job?.lastError).toBeNull();
}

const mintError = () => new Error('mint refused (test)');
const createError = () => new Error('create refused (test)');
const deliverError = () => new Error('deliver refused (test)');

describe('launching a runner in a new sandbox', () => {
  it('succeeds: config minted and delivered on stdin, runner booting, its exit seen by the listing', async () => {
    const t = setup(cold);
    const runner = await launchFor(t);

    expect(t.log.methods()).toEqual([
      'github.generateJitConfig',
      'modal.createSandbox',
      'modal.deliverConfig',
    ]);
    const registration = t.github.byName(runner.name);
    const sandbox = t.platform.sandboxes.get(runner.sandboxId ?? '');
    expect(runner.state).toBe('booting');
    expect(runner.runnerId).toBe(registration?.id);
    expect(sandbox?.configs).toEqual([`jit-config-of-${runner.name}`]);
    expect(sandbox?.spec?.tags).toMatchObject({ runnerName: runner.name, warm: false, jobId: 42 });
    await expectNotBackedOff(t);

    // Exit watching: the sandbox gone from the listing before any job fails the runner and
    // deletes its registration.
    t.platform.exit(runner.sandboxId ?? '', 1);
    expect(await t.controller.watchExits()).toBe(1);
    await settle(t);
    const after = await t.ledger.getRunner(runner.name);
    expect(after?.state).toBe('failed');
    expect(after?.lastError).toMatch(/exited before the runner took a job/);
    expect(undoCalls(t)).toEqual([`deleteRunner ${registration?.id}`]);
  });

  it.each([
    {
      failing: 'the mint',
      fail: (t: Setup) => t.log.fail('github.generateJitConfig', mintError()),
      undo: () => ['terminate sb-1'],
      lastError: /mint refused/,
    },
    {
      failing: 'the create',
      fail: (t: Setup) => t.log.fail('modal.createSandbox', createError()),
      undo: () => ['deleteRunner 1000'],
      lastError: /create refused/,
    },
    {
      failing: 'both the mint and the create',
      fail: (t: Setup) => {
        t.log.fail('github.generateJitConfig', mintError());
        t.log.fail('modal.createSandbox', createError());
      },
      undo: () => [],
      lastError: /(mint|create) refused/,
    },
    {
      failing: 'the delivery',
      fail: (t: Setup) => t.log.fail('modal.deliverConfig', deliverError()),
      // The registration first: once it is gone no job can take the runner.
      undo: () => ['deleteRunner 1000', 'terminate sb-1'],
      lastError: /deliver refused/,
    },
  ])('$failing failing: undoes what was made, fails the runner, backs the job off', async (c) => {
    const t = setup(cold);
    c.fail(t);
    const runner = await launchFor(t);

    expect(undoCalls(t)).toEqual(c.undo());
    const after = await t.ledger.getRunner(runner.name);
    expect(after?.state).toBe('failed');
    expect(after?.lastError).toMatch(c.lastError);
    await expectBackedOff(t, c.lastError);
    expect(t.github.registrations.size).toBe(0);
    expect(t.platform.running()).toEqual([]);
  });

  it('the delivery failing and the undo failing too: the sandbox is still terminated', async () => {
    const t = setup(cold);
    t.log.fail('modal.deliverConfig', deliverError());
    t.log.fail('github.deleteRunner', new Error('GitHub down (test)'));
    const runner = await launchFor(t);

    expect(undoCalls(t)).toEqual(['deleteRunner 1000', 'terminate sb-1']);
    expect((await t.ledger.getRunner(runner.name))?.state).toBe('failed');
    await expectBackedOff(t, /deliver refused/);
    // The registration is left for the reconciler's orphan repair.
    expect(t.github.byName(runner.name)).toBeDefined();
    expect(t.platform.running()).toEqual([]);
  });

  it('undo finds the runner running a job (delete answers busy): sandbox kept, runner busy, exit seen', async () => {
    const t = setup(cold);
    t.log.fail('modal.deliverConfig', deliverError());
    t.log.fail('github.deleteRunner', runnerBusyError());
    const runner = await launchFor(t);

    expect(undoCalls(t)).toEqual(['deleteRunner 1000']);
    expect(runner.state).toBe('busy');
    expect(t.platform.running().map((s) => s.sandboxId)).toEqual(['sb-1']);
    // Not a failed launch: the job is not backed off.
    await expectNotBackedOff(t);

    t.platform.exit('sb-1', 0);
    expect(await t.controller.watchExits()).toBe(1);
    await settle(t);
    expect((await t.ledger.getRunner(runner.name))?.state).toBe('done');
  });
});

describe('launching a runner in a warm sandbox', () => {
  it('succeeds: no new sandbox, the config goes to the warm one', async () => {
    const t = setup(warmPooled);
    const warm = await bootWarmPool(t);
    const before = t.log.calls.length;
    const runner = await launchFor(t);

    expect(runner.name).toBe(warm.name);
    expect(t.log.methods().slice(before)).toEqual([
      'github.generateJitConfig',
      'modal.deliverConfig',
    ]);
    expect(runner.state).toBe('booting');
    expect(runner.sandboxId).toBe(warm.sandboxId);
    expect(runner.scope).toEqual({ kind: 'org', org: 'acme' });
    expect(runner.installationId).toBe(7);
    expect(runner.runnerId).toBe(t.github.byName(runner.name)?.id);
    expect(t.platform.sandboxes.get(warm.sandboxId ?? '')?.configs).toEqual([
      `jit-config-of-${runner.name}`,
    ]);
    await expectNotBackedOff(t);
  });

  it.each([
    {
      failing: 'the mint',
      fail: (t: Setup) => t.log.fail('github.generateJitConfig', mintError()),
      undo: (sandboxId: string) => [`terminate ${sandboxId}`],
      lastError: /mint refused/,
    },
    {
      failing: 'the delivery',
      fail: (t: Setup) => t.log.fail('modal.deliverConfig', deliverError()),
      undo: (sandboxId: string) => ['deleteRunner 1000', `terminate ${sandboxId}`],
      lastError: /deliver refused/,
    },
  ])('$failing failing: undoes what was made, fails the runner, backs the job off', async (c) => {
    const t = setup(warmPooled);
    const warm = await bootWarmPool(t);
    const before = t.log.calls.length;
    c.fail(t);
    const runner = await launchFor(t);

    expect(runner.name).toBe(warm.name);
    expect(undoCalls(t, before)).toEqual(c.undo(warm.sandboxId ?? ''));
    const after = await t.ledger.getRunner(runner.name);
    expect(after?.state).toBe('failed');
    expect(after?.lastError).toMatch(c.lastError);
    await expectBackedOff(t, c.lastError);
    expect(t.github.registrations.size).toBe(0);
    expect(t.platform.sandboxes.get(warm.sandboxId ?? '')?.exitCode).toBe(TERMINATED_EXIT_CODE);
    // A warm launch never creates a sandbox (the pool may refill after the failure).
    const created = t.log.argsOf<{ tags: { warm: boolean } }>('modal.createSandbox');
    expect(created.every((spec) => spec.tags.warm)).toBe(true);
  });

  it('undo finds the runner running a job (delete answers busy): warm sandbox kept, runner busy', async () => {
    const t = setup(warmPooled);
    const warm = await bootWarmPool(t);
    const before = t.log.calls.length;
    t.log.fail('modal.deliverConfig', deliverError());
    t.log.fail('github.deleteRunner', runnerBusyError());
    const runner = await launchFor(t);

    expect(undoCalls(t, before)).toEqual(['deleteRunner 1000']);
    expect(runner.state).toBe('busy');
    expect(t.platform.sandboxes.get(warm.sandboxId ?? '')?.exitCode).toBeUndefined();
    await expectNotBackedOff(t);
    // Its exit, seen by the exit watcher, closes the runner.
    t.platform.exit(warm.sandboxId ?? '', 0);
    expect(await t.controller.watchExits()).toBe(1);
    await settle(t);
    expect((await t.ledger.getRunner(runner.name))?.state).toBe('done');
  });
});
