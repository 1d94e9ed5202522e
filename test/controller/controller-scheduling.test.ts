import { afterEach, describe, expect, it } from '@jest/globals';
import { pino } from 'pino';
import type { RunnerClass } from '../../src/config/runner-class.js';
import { createController } from '../../src/controller/controller.js';
import { createRunnerLocks } from '../../src/controller/runner-locks.js';
import { newRunnerName } from '../../src/domain/runner-name.js';
import { noMetrics } from '../../src/ports/metrics.js';
import { controllerSettings } from './controller-fixtures.js';
import type { JitConfig, RunnerRegistry } from '../../src/ports/runner-registry.js';
import type { SandboxSpec, SandboxPlatform } from '../../src/ports/sandbox-platform.js';
import type { JobObservation } from '../../src/ledger/ledger.js';
import { createMemoryLedger } from '../../src/ledger/memory-ledger.js';

/** A call the test answers when it wants to. */
interface Pending<T> {
  readonly name: string;
  resolve(value: T): void;
}

const modal: RunnerClass = { name: 'modal', cpu: 2, memoryMiB: 8192 };

function job(id: number): JobObservation {
  return {
    id,
    runId: 1,
    runAttempt: 1,
    repo: 'acme/api',
    org: 'acme',
    installationId: 7,
    labels: ['modal'],
    runnerClass: 'modal',
    scope: { kind: 'org', org: 'acme' },
    status: 'queued',
    conclusion: null,
    runnerName: null,
    at: 1_000 + id,
  };
}

/** Microtasks only: no timer, no I/O, no setImmediate gets to run. */
async function drainMicrotasks(): Promise<void> {
  for (let i = 0; i < 200; i++) await Promise.resolve();
}

function setup(maxConcurrentLaunches: number) {
  const ledger = createMemoryLedger();
  const creates: Pending<{ sandboxId: string }>[] = [];
  const mints: Pending<JitConfig>[] = [];
  const platform: SandboxPlatform = {
    createSandbox: (spec: SandboxSpec) =>
      new Promise((resolve) => creates.push({ name: spec.name, resolve })),
    deliverConfig: async () => {},
    terminate: async () => {},
    list: async () => [],
  };
  const registry: RunnerRegistry = {
    generateJitConfig: (request) =>
      new Promise((resolve) => mints.push({ name: request.name, resolve })),
    deleteRunner: async () => {},
  };
  const controller = createController({
    ledger,
    registry,
    platform,
    classes: new Map([['modal', modal]]),
    locks: createRunnerLocks(),
    newRunnerName: (runnerClass) => newRunnerName(runnerClass, 'abc123'),
    settings: controllerSettings({ maxConcurrentLaunches }),
    metrics: noMetrics,
    clock: { now: () => 10_000, sleep: async () => {} },
    log: pino({ level: 'silent' }),
  });
  /** Lets launch number `i` finish: its JIT config minted, its sandbox created. */
  const finish = (i: number) => {
    mints[i]?.resolve({ runnerId: 100 + i, encodedJitConfig: `jit-${i}` });
    creates[i]?.resolve({ sandboxId: `sb-${i}` });
  };
  /** Lets every launch so far finish, so that the controller can stop. */
  const finishAll = () => creates.forEach((_, i) => finish(i));
  return { ledger, controller, creates, mints, finish, finishAll };
}

/** A webhook's part: the job is recorded, the controller woken; then only microtasks run. */
async function queueAndWake(t: ReturnType<typeof setup>, id: number): Promise<void> {
  await t.ledger.observeJob(job(id));
  t.controller.wake();
  await drainMicrotasks();
}

describe('controller scheduling: how soon a plan follows a wake', () => {
  let current: ReturnType<typeof setup> | undefined;
  afterEach(async () => {
    current?.finishAll();
    await current?.controller.stop();
    current = undefined;
  });

  it('with a launch slot free, plans at once: the create has started before any macrotask runs', async () => {
    const t = setup(2);
    current = t;
    await queueAndWake(t, 1);
    // The webhook handler that called wake() has not even answered yet (that needs I/O).
    expect(t.creates).toHaveLength(1);
    expect(t.mints).toHaveLength(1);
    expect(t.creates[0]?.name).toBe(t.mints[0]?.name);
  });

  it('with every slot busy, lets the caller go first and plans on a later turn', async () => {
    const t = setup(1);
    current = t;
    await queueAndWake(t, 1);
    expect(t.creates).toHaveLength(1);

    await queueAndWake(t, 2);
    // No plan yet: job 2 has no runner recorded.
    const runnersNow = await t.ledger.listRunners(['launching']);
    expect(runnersNow.map((r) => r.launchedForJobId)).toEqual([1]);

    await new Promise((resolve) => setImmediate(resolve));
    await drainMicrotasks();
    // Planned: job 2's runner waits for the slot in the executor, not for another plan.
    const runnersLater = await t.ledger.listRunners(['launching']);
    expect(runnersLater.map((r) => r.launchedForJobId).sort()).toEqual([1, 2]);
    expect(t.creates).toHaveLength(1);

    // Launch 1 ends (its config delivered): launch 2 starts from the executor's queue.
    t.finish(0);
    await drainMicrotasks();
    expect(t.creates).toHaveLength(2);
  });

  it('once a launch ends and frees its slot, a new job launches at once', async () => {
    const t = setup(1);
    current = t;
    await queueAndWake(t, 1);
    expect(t.creates).toHaveLength(1);
    t.finish(0);
    await drainMicrotasks();
    await queueAndWake(t, 3);
    // The slot was free again, so job 3 launched within the webhook's own turn.
    expect(t.creates).toHaveLength(2);
    expect((await t.ledger.listRunners(['launching'])).map((r) => r.launchedForJobId)).toEqual([3]);
  });
});
