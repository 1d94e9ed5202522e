import { afterEach, describe, expect, it } from '@jest/globals';
import type { RunnerClass } from '../../src/config/runner-class.js';
import { jobObservation, runner as runnerRecord } from '../../sim/records.js';
import { inMemoryController, settle, type InMemoryController } from './in-memory-controller.js';

/**
 * Retiring a runner nobody needs, through the controller's public face: an idle runner past its
 * grace with no queued job is retired by the next plan. Registration first, then the sandbox.
 */

const modal: RunnerClass = { name: 'modal', cpu: 2, memoryMiB: 8192 };
const IDLE_GRACE_MS = 60_000;
const NAME = 'modal-modal-idle';

let current: InMemoryController | undefined;

afterEach(async () => {
  await current?.controller.stop();
  current = undefined;
});

/** An idle runner, online at GitHub, unneeded for longer than the grace. */
async function setupIdleRunner(options: { busyAtGitHub?: boolean } = {}) {
  const t = inMemoryController(modal, { idleGraceMs: IDLE_GRACE_MS });
  current = t;
  const registration = t.github.register({
    name: NAME,
    scope: { kind: 'org', org: 'acme' },
    installationId: 7,
    status: 'online',
    busy: options.busyAtGitHub ?? false,
  });
  const sandbox = t.platform.add({ name: NAME, tags: undefined });
  const since = t.clock.now() - IDLE_GRACE_MS;
  await t.ledger.insertRunner(
    runnerRecord(NAME, {
      runnerId: registration.id,
      sandboxId: sandbox.sandboxId,
      state: 'idle',
      createdAt: since,
      updatedAt: since,
    }),
  );
  return { t, registration, sandbox };
}

async function plan(t: InMemoryController): Promise<void> {
  t.controller.wake();
  await settle(t);
}

describe('retiring a runner', () => {
  it('deleted: the registration goes, then the sandbox; the runner is done', async () => {
    const { t, registration, sandbox } = await setupIdleRunner();
    await plan(t);

    expect(t.log.calls).toEqual([
      {
        method: 'github.deleteRunner',
        args: expect.objectContaining({ runnerId: registration.id }),
      },
      { method: 'modal.terminate', args: { sandboxId: sandbox.sandboxId } },
    ]);
    const after = await t.ledger.getRunner(NAME);
    expect(after?.state).toBe('done');
    expect(after?.lastError).toBe('no queued job needs it');
    expect(t.github.registrations.size).toBe(0);
    expect(t.platform.running()).toEqual([]);
  });

  it('a runner a queued job needs is not retired', async () => {
    const { t } = await setupIdleRunner();
    await t.ledger.observeJob(jobObservation(1));
    await plan(t);

    expect(t.log.calls).toEqual([]);
    expect((await t.ledger.getRunner(NAME))?.state).toBe('idle');
  });

  it('busy: GitHub refuses (the runner took a job), the runner is marked busy and never retried in a loop', async () => {
    const { t, sandbox } = await setupIdleRunner({ busyAtGitHub: true });
    await plan(t);

    expect(t.log.methods()).toEqual(['github.deleteRunner']);
    expect((await t.ledger.getRunner(NAME))?.state).toBe('busy');
    expect(t.platform.sandboxes.get(sandbox.sandboxId)?.exitCode).toBeUndefined();

    // Later plans, well past the grace, leave the busy runner alone.
    await t.clock.sleep(10 * IDLE_GRACE_MS);
    await plan(t);
    await plan(t);
    expect(t.log.methods()).toEqual(['github.deleteRunner']);
    expect((await t.ledger.getRunner(NAME))?.state).toBe('busy');
  });

  it('failed: the sandbox is kept while its registration is; retried after the grace, not in a loop', async () => {
    const { t, sandbox } = await setupIdleRunner();
    t.log.fail('github.deleteRunner', new Error('GitHub answered 500 (test)'));
    /** What the world looked like when each delete was tried. */
    const seen: { state: string | undefined; sandboxRunning: boolean }[] = [];
    t.log.before('github.deleteRunner', async () => {
      seen.push({
        state: (await t.ledger.getRunner(NAME))?.state,
        sandboxRunning: t.platform.sandboxes.get(sandbox.sandboxId)?.exitCode === undefined,
      });
    });
    await plan(t);
    await plan(t);

    // The delete failed: nothing was terminated, and the plans right after it leave it be.
    expect(seen).toEqual([{ state: 'idle', sandboxRunning: true }]);
    expect(t.log.methods()).toEqual(['github.deleteRunner']);
    expect((await t.ledger.getRunner(NAME))?.lastError).toMatch(
      /could not delete its registration/,
    );

    // Once the grace has passed again, the next plan retires it.
    await t.clock.sleep(IDLE_GRACE_MS);
    await plan(t);
    expect(seen).toEqual([
      { state: 'idle', sandboxRunning: true },
      { state: 'idle', sandboxRunning: true },
    ]);
    expect(t.log.methods()).toEqual([
      'github.deleteRunner',
      'github.deleteRunner',
      'modal.terminate',
    ]);
    expect((await t.ledger.getRunner(NAME))?.state).toBe('done');
  });
});
