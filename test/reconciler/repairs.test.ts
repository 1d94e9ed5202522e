import { describe, expect, it } from '@jest/globals';
import { pino } from 'pino';
import { createRunnerLocks } from '../../src/controller/runner-locks.js';
import type { SandboxTags } from '../../src/domain/sandbox-tags.js';
import type { Ledger, RunnerRecord } from '../../src/ledger/ledger.js';
import { createMemoryLedger } from '../../src/ledger/memory-ledger.js';
import { noMetrics } from '../../src/ports/metrics.js';
import type { RunnerRef } from '../../src/ports/runner-registry.js';
import type { ReconcilerSettings } from '../../src/reconciler/reconciler-context.js';
import { createReconciler, type Reconciler } from '../../src/reconciler/reconciler.js';
import { FakeClock } from '../../sim/fake-clock.js';
import type { InMemoryGitHub } from '../../sim/in-memory-github.js';
import { createInMemoryPorts } from '../../sim/in-memory-ports.js';
import {
  TERMINATED_EXIT_CODE,
  type InMemorySandboxPlatform,
} from '../../sim/in-memory-sandbox-platform.js';
import type { PortLog } from '../../sim/port-log.js';
import { jobObservation, runner as runnerRecord } from '../../sim/records.js';

/**
 * Each kind of repair, through one reconciliation tick: the world (ledger, in-memory GitHub and
 * Modal) is set up, the tick observes it, plans and repairs; the test reads what was called and
 * what the ledger says.
 */

const MANAGED_BY = 'modal-github-runner';
const ORPHAN_GRACE_MS = 60_000;
const LIST_LAG_MS = 30_000;
const ACME = { kind: 'org', org: 'acme' } as const;

interface World {
  readonly ledger: Ledger;
  readonly log: PortLog;
  readonly github: InMemoryGitHub;
  readonly platform: InMemorySandboxPlatform;
  readonly clock: FakeClock;
  readonly locks: ReturnType<typeof createRunnerLocks>;
  readonly reconciler: Reconciler;
}

function world(
  settings: Partial<ReconcilerSettings> = {},
  githubCallsLeft?: (now: number) => number | undefined,
): World {
  const ledger = createMemoryLedger();
  const { log, github, platform } = createInMemoryPorts();
  const clock = new FakeClock('manual');
  const locks = createRunnerLocks();
  github.installations = [{ id: 7, account: 'acme', kind: 'org', suspended: false }];
  const reconciler = createReconciler({
    ledger,
    github,
    platform,
    controller: {
      wake: () => {},
      locks,
    },
    clock,
    log: pino({ level: 'silent' }),
    metrics: noMetrics,
    ...(githubCallsLeft ? { githubCallsLeft } : {}),
    settings: {
      managedBy: MANAGED_BY,
      isOurRunnerName: (name) => name.startsWith('modal-'),
      redeliveryLookbackMs: 3_600_000,
      apiBudget: 100,
      staleJobMs: 600_000,
      staleJobRecheckMs: 600_000,
      sandboxListLagMs: LIST_LAG_MS,
      orphanRegistrationMs: ORPHAN_GRACE_MS,
      retentionMs: 7 * 24 * 3_600_000,
      ...settings,
    },
  });
  return { ledger, log, github, platform, clock, locks, reconciler };
}

/** The tags our launches write on a job's sandbox. */
function tags(runnerName: string, overrides: Partial<SandboxTags> = {}): SandboxTags {
  return {
    managedBy: MANAGED_BY,
    runnerName,
    runnerClass: 'modal',
    warm: false,
    scope: ACME,
    installationId: 7,
    jobId: 42,
    repo: 'acme/api',
    org: 'acme',
    ...overrides,
  };
}

/** A registration of ours at GitHub, in organization acme (offline, not busy unless told). */
function registered(
  w: World,
  name: string,
  fields: { status?: 'online' | 'offline'; busy?: boolean } = {},
) {
  return w.github.register({ name, scope: ACME, installationId: 7, ...fields });
}

/** A runner in the ledger, last changed well before the tick (past every grace). */
async function recorded(
  w: World,
  name: string,
  overrides: Partial<RunnerRecord>,
): Promise<RunnerRecord> {
  const at = w.clock.now() - 10 * 60_000;
  const record = runnerRecord(name, { createdAt: at, updatedAt: at, ...overrides });
  await w.ledger.insertRunner(record);
  return record;
}

/** A runner registered at GitHub and recorded in `state` with `sandboxId`. */
async function registeredRunner(
  w: World,
  name: string,
  state: RunnerRecord['state'],
  sandboxId: string | null,
  fields: Parameters<typeof registered>[2] = {},
) {
  const registration = registered(w, name, fields);
  await recorded(w, name, { state, runnerId: registration.id, sandboxId });
  return registration;
}

/** A runner of ours with its sandbox, its registration and its ledger record in `state`. */
async function running(
  w: World,
  name: string,
  state: RunnerRecord['state'],
  fields: Parameters<typeof registered>[2] = {},
) {
  const sandbox = w.platform.add({ name, tags: tags(name) });
  const registration = await registeredRunner(w, name, state, sandbox.sandboxId, fields);
  return { sandbox, registration };
}

const deletedIds = (w: World) =>
  w.log.argsOf<RunnerRef>('github.deleteRunner').map((a) => a.runnerId);
const terminatedIds = (w: World) =>
  w.log.argsOf<{ sandboxId: string }>('modal.terminate').map((a) => a.sandboxId);

describe('reconciler repairs', () => {
  it('sandbox-gone before a job: registration deleted, runner failed', async () => {
    const w = world();
    const registration = await registeredRunner(w, 'modal-a', 'booting', 'sb-vanished');
    const report = await w.reconciler.tick();

    expect(report.repairs).toEqual({ 'sandbox-gone': 1 });
    expect(deletedIds(w)).toEqual([registration.id]);
    const after = await w.ledger.getRunner('modal-a');
    expect(after?.state).toBe('failed');
    expect(after?.lastError).toBe('sandbox gone before the runner took a job');
  });

  it('sandbox-gone before a job, its runner id never recorded: found by name, then deleted', async () => {
    const w = world();
    const registration = registered(w, 'modal-a');
    await recorded(w, 'modal-a', { state: 'booting', runnerId: null, sandboxId: 'sb-vanished' });
    await w.reconciler.tick();

    expect(w.log.argsOf('github.findRunnerByName')).toEqual([
      { installationId: 7, scope: ACME, name: 'modal-a' },
    ]);
    expect(deletedIds(w)).toEqual([registration.id]);
    expect((await w.ledger.getRunner('modal-a'))?.state).toBe('failed');
  });

  it('sandbox-gone after its job: runner done, nothing deleted', async () => {
    const w = world();
    await recorded(w, 'modal-a', { state: 'busy', runnerId: 5, sandboxId: 'sb-vanished' });
    const report = await w.reconciler.tick();

    expect(report.repairs).toEqual({ 'sandbox-gone': 1 });
    expect(deletedIds(w)).toEqual([]);
    expect((await w.ledger.getRunner('modal-a'))?.state).toBe('done');
  });

  it('interrupted-launch with its sandbox: undone, registration first, then the sandbox', async () => {
    const w = world();
    const sandbox = w.platform.add({ name: 'modal-a', tags: tags('modal-a') });
    const registration = registered(w, 'modal-a');
    // The crash came before the ids were recorded: the registration is found by name.
    await recorded(w, 'modal-a', { state: 'launching', runnerId: null, sandboxId: null });
    const report = await w.reconciler.tick();

    expect(report.repairs).toEqual({ 'interrupted-launch': 1 });
    const acts = w.log
      .methods()
      .filter((m) => m === 'github.deleteRunner' || m === 'modal.terminate');
    expect(acts).toEqual(['github.deleteRunner', 'modal.terminate']);
    expect(deletedIds(w)).toEqual([registration.id]);
    expect(terminatedIds(w)).toEqual([sandbox.sandboxId]);
    const after = await w.ledger.getRunner('modal-a');
    expect(after?.state).toBe('failed');
    expect(after?.lastError).toMatch(/launch interrupted/);
  });

  it('interrupted-launch whose runner took a job (delete answers busy): kept and busy', async () => {
    const w = world();
    const { registration } = await running(w, 'modal-a', 'launching', {
      status: 'online',
      busy: true,
    });
    await w.reconciler.tick();

    expect(terminatedIds(w)).toEqual([]);
    expect(w.github.registrations.has(registration.id)).toBe(true);
    expect((await w.ledger.getRunner('modal-a'))?.state).toBe('busy');
  });

  it('interrupted-launch without a sandbox: its registration deleted, runner failed', async () => {
    const w = world();
    const registration = await registeredRunner(w, 'modal-a', 'launching', null);
    const report = await w.reconciler.tick();

    expect(report.repairs).toEqual({ 'interrupted-launch': 1 });
    expect(deletedIds(w)).toEqual([registration.id]);
    const after = await w.ledger.getRunner('modal-a');
    expect(after?.state).toBe('failed');
    expect(after?.lastError).toMatch(/launch interrupted/);
  });

  it.each([
    { busy: false, state: 'idle' },
    { busy: true, state: 'busy' },
  ])(
    'runner-status: online at GitHub with busy=$busy, a booting runner becomes $state',
    async (c) => {
      const w = world();
      await running(w, 'modal-a', 'booting', {
        status: 'online',
        busy: c.busy,
      });
      const report = await w.reconciler.tick();

      expect(report.repairs).toEqual({ 'runner-status': 1 });
      expect((await w.ledger.getRunner('modal-a'))?.state).toBe(c.state);
      expect(deletedIds(w)).toEqual([]);
      expect(terminatedIds(w)).toEqual([]);
    },
  );

  it('adopt-sandbox with complete tags: the runner is rebuilt in the ledger', async () => {
    const w = world();
    const sandbox = w.platform.add({ name: 'modal-a', tags: tags('modal-a') });
    const registration = registered(w, 'modal-a', { status: 'online' });
    const report = await w.reconciler.tick();

    expect(report.repairs).toEqual({ 'adopt-sandbox': 1 });
    expect(await w.ledger.getRunner('modal-a')).toMatchObject({
      state: 'idle',
      runnerId: registration.id,
      sandboxId: sandbox.sandboxId,
      runnerClass: 'modal',
      scope: ACME,
      installationId: 7,
      launchedForJobId: 42,
    });
    expect(terminatedIds(w)).toEqual([]);
  });

  it('adopt-sandbox with incomplete tags (no scope, no installation): terminated, not adopted', async () => {
    const w = world();
    const sandbox = w.platform.add({
      name: 'modal-a',
      tags: { managedBy: MANAGED_BY, runnerName: 'modal-a', runnerClass: 'modal', warm: false },
    });
    registered(w, 'modal-a', { status: 'online' });
    const report = await w.reconciler.tick();

    expect(report.repairs).toEqual({ 'adopt-sandbox': 1 });
    expect(terminatedIds(w)).toEqual([sandbox.sandboxId]);
    expect(await w.ledger.getRunner('modal-a')).toBeUndefined();
  });

  it.each([
    { case: 'no runner and no registration', finished: undefined },
    { case: 'its runner is done', finished: 'done' as const },
  ])('terminate-sandbox: a sandbox of ours with $case is terminated', async (c) => {
    const w = world();
    const sandbox = w.platform.add({ name: 'modal-a', tags: tags('modal-a') });
    if (c.finished)
      await recorded(w, 'modal-a', { state: c.finished, sandboxId: sandbox.sandboxId });
    const report = await w.reconciler.tick();

    expect(report.repairs).toEqual({ 'terminate-sandbox': 1 });
    expect(terminatedIds(w)).toEqual([sandbox.sandboxId]);
    expect(w.platform.sandboxes.get(sandbox.sandboxId)?.exitCode).toBe(TERMINATED_EXIT_CODE);
  });

  it('delete-registration: an orphaned registration is deleted once its grace has passed', async () => {
    const w = world();
    const registration = registered(w, 'modal-orphan');

    expect((await w.reconciler.tick()).repairs).toEqual({});
    await w.clock.advance(ORPHAN_GRACE_MS);
    expect((await w.reconciler.tick()).repairs).toEqual({ 'delete-registration': 1 });

    expect(deletedIds(w)).toEqual([registration.id]);
    expect(w.github.registrations.size).toBe(0);
  });
});

describe('reconciler repairs stand back', () => {
  it("from another deployment's registration, however orphaned it looks", async () => {
    const w = world();
    registered(w, 'other-3f9a2c-0123456789');
    await w.reconciler.tick();
    await w.clock.advance(10 * ORPHAN_GRACE_MS);
    await w.reconciler.tick();

    expect(deletedIds(w)).toEqual([]);
    expect(w.github.registrations.size).toBe(1);
  });

  it('from a runner whose lock is held when the tick starts', async () => {
    const w = world();
    const registration = registered(w, 'modal-a');
    const before = await recorded(w, 'modal-a', {
      state: 'booting',
      runnerId: registration.id,
      sandboxId: 'sb-vanished',
    });
    w.locks.tryLock('modal-a');
    await w.reconciler.tick();

    expect(deletedIds(w)).toEqual([]);
    expect(await w.ledger.getRunner('modal-a')).toEqual(before);
    expect(w.locks.isLocked('modal-a')).toBe(true);
  });

  /**
   * Two runners whose sandboxes are gone; while the first is repaired, something happens to the
   * second (`meanwhile`). Returns the second runner's name and registration id.
   */
  async function whileRepairingTheFirst(w: World, meanwhile: (name: string) => Promise<void>) {
    for (const name of ['modal-a', 'modal-b']) {
      await registeredRunner(w, name, 'booting', 'sb-gone');
    }
    let first: number | undefined;
    w.log.before<RunnerRef>('github.deleteRunner', async ({ runnerId }) => {
      if (first !== undefined) return;
      first = runnerId;
      const other = [...w.github.registrations.values()].find((r) => r.id !== runnerId);
      if (other) await meanwhile(other.name);
    });
    await w.reconciler.tick();
    const second = [...w.github.registrations.values()].find((r) => r.id !== first);
    if (!second || first === undefined) throw new Error('expected one repair to run first');
    return { first, second };
  }

  it('from a runner the controller locked between the observation and its repair', async () => {
    const w = world();
    const { first, second } = await whileRepairingTheFirst(w, async (name) => {
      w.locks.tryLock(name);
    });

    expect(deletedIds(w)).toEqual([first]);
    expect((await w.ledger.getRunner(second.name))?.state).toBe('booting');
    // The reconciler never releases a lock it did not take.
    expect(w.locks.isLocked(second.name)).toBe(true);
  });

  it('from a runner whose ledger row moved on since the observation', async () => {
    const w = world();
    const { first, second } = await whileRepairingTheFirst(w, async (name) => {
      // A webhook: the runner took a job.
      await w.ledger.updateRunner(name, { state: 'busy', at: w.clock.now() });
    });

    expect(deletedIds(w)).toEqual([first]);
    expect((await w.ledger.getRunner(second.name))?.state).toBe('busy');
    expect(w.locks.held().size).toBe(0);
  });

  it('from a sandbox the ledger learnt about since the observation (no adoption)', async () => {
    const w = world();
    const sandbox = w.platform.add({ name: 'modal-a', tags: tags('modal-a') });
    registered(w, 'modal-a', { status: 'online' });
    // The controller records the runner while the reconciler lists GitHub's runners.
    w.log.before('github.listRunners', async () => {
      if (await w.ledger.getRunner('modal-a')) return;
      await recorded(w, 'modal-a', { state: 'booting', sandboxId: sandbox.sandboxId });
    });
    await w.reconciler.tick();

    expect((await w.ledger.getRunner('modal-a'))?.state).toBe('booting');
    expect(terminatedIds(w)).toEqual([]);
  });
});

describe('the API budget', () => {
  it('stops GitHub calls once spent; what did not fit is named and waits for the next tick', async () => {
    // Listing installations and the one scope's runners spend 2; one deletion fits.
    const w = world({ apiBudget: 3 });
    for (const name of ['modal-a', 'modal-b']) {
      await registeredRunner(w, name, 'booting', 'sb-gone');
    }
    const report = await w.reconciler.tick();

    expect(report.repairs).toEqual({ 'sandbox-gone': 2 });
    expect(report.apiCalls).toBe(3);
    expect(w.log.methods().filter((m) => m.startsWith('github.'))).toEqual([
      'github.listInstallations',
      'github.listRunners',
      'github.deleteRunner',
    ]);
    const [kept] = [...w.github.registrations.values()];
    expect(w.github.registrations.size).toBe(1);
    expect(report.skipped).toEqual([`delete runner ${kept?.name}`, 'list deliveries']);
  });

  it("follows GitHub's rate limit: only the calls above the reserve are spent", async () => {
    const w = world({ apiBudget: 100 }, () => 1);
    const report = await w.reconciler.tick();
    expect(report.apiCalls).toBe(1);
    expect(w.log.methods().filter((m) => m.startsWith('github.'))).toEqual([
      'github.listInstallations',
    ]);
    expect(report.skipped[0]).toBe('list runners of org:acme');
  });

  it('out of budget, an interrupted launch keeps its sandbox while its registration may live', async () => {
    // Listing installations and the one scope's runners spend it all.
    const w = world({ apiBudget: 2 });
    await running(w, 'modal-a', 'launching');
    const report = await w.reconciler.tick();

    expect(report.repairs).toEqual({ 'interrupted-launch': 1 });
    expect(report.skipped).toContain('delete runner modal-a');
    expect(deletedIds(w)).toEqual([]);
    expect(terminatedIds(w)).toEqual([]);
    expect((await w.ledger.getRunner('modal-a'))?.state).toBe('launching');
  });

  it('stops checking stale jobs once spent', async () => {
    const w = world({ apiBudget: 4, staleJobMs: 60_000 });
    w.github.installations = [];
    for (const id of [1, 2, 3]) {
      await w.ledger.observeJob(jobObservation(id, { at: w.clock.now() - 120_000 }));
      w.github.jobs.set(id, { status: 'queued', conclusion: null, runnerName: null });
    }
    const report = await w.reconciler.tick();

    // Installations (1) and the scope of the queued jobs (1), then two of three jobs.
    expect(w.log.argsOf('github.getJob')).toHaveLength(2);
    expect(report.jobsChecked).toBe(2);
    expect(report.skipped).toEqual([expect.stringMatching(/^check job \d$/), 'list deliveries']);
  });
});
