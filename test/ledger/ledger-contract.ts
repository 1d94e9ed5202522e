import { jobObservation } from '../../sim/records.js';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import type { JobObservation, Ledger } from '../../src/ledger/ledger.js';
import { runner } from '../../sim/records.js';

export function observation(id: number, overrides: Partial<JobObservation> = {}): JobObservation {
  return jobObservation(id, { runId: 1000 + id, at: 100, ...overrides });
}

/** The behaviour every Ledger implementation must have. */
export function describeLedgerContract(name: string, open: () => Promise<Ledger>): void {
  describe(`Ledger contract: ${name}`, () => {
    let ledger: Ledger;
    beforeEach(async () => {
      ledger = await open();
    });
    afterEach(async () => {
      await ledger.close();
    });

    it('records a new job with its timestamps', async () => {
      const { job, changed } = await ledger.observeJob(observation(1, { at: 5 }));
      expect(changed).toBe(true);
      expect(job).toMatchObject({
        id: 1,
        status: 'queued',
        queuedAt: 5,
        startedAt: null,
        launchAttempts: 0,
      });
      expect(await ledger.getJob(1)).toEqual(job);
    });

    it('moves status only forward: duplicates and late deliveries change nothing', async () => {
      await ledger.observeJob(observation(1, { status: 'queued', at: 1 }));
      await ledger.observeJob(observation(1, { status: 'in_progress', runnerName: 'r1', at: 2 }));
      const dup = await ledger.observeJob(
        observation(1, { status: 'in_progress', runnerName: 'r1', at: 3 }),
      );
      const late = await ledger.observeJob(observation(1, { status: 'queued', at: 4 }));
      expect(dup.changed).toBe(false);
      expect(late.changed).toBe(false);
      expect(await ledger.getJob(1)).toMatchObject({
        status: 'in_progress',
        runnerName: 'r1',
        startedAt: 2,
        updatedAt: 2,
      });
      const done = await ledger.observeJob(
        observation(1, { status: 'completed', conclusion: 'success', at: 5 }),
      );
      expect(done.job).toMatchObject({
        status: 'completed',
        conclusion: 'success',
        completedAt: 5,
        runnerName: 'r1',
      });
    });

    it('keeps a waiting job out of the queue until it is queued for real', async () => {
      await ledger.observeJob(observation(1, { status: 'waiting', at: 1 }));
      expect(await ledger.listJobs(['queued'])).toEqual([]);
      expect((await ledger.getJob(1))?.queuedAt).toBeNull();
      await ledger.observeJob(observation(1, { status: 'queued', at: 2 }));
      const queued = await ledger.listJobs(['queued']);
      expect(queued.map((j) => [j.id, j.queuedAt])).toEqual([[1, 2]]);
    });

    it('learns the runner of a completed job that skipped in_progress', async () => {
      await ledger.observeJob(observation(1));
      await ledger.observeJob(
        observation(1, { status: 'completed', conclusion: 'success', runnerName: 'r9', at: 9 }),
      );
      expect(await ledger.getJob(1)).toMatchObject({
        status: 'completed',
        runnerName: 'r9',
        startedAt: 9,
      });
    });

    it('lists jobs by status', async () => {
      await ledger.observeJob(observation(1));
      await ledger.observeJob(observation(2, { status: 'in_progress' }));
      await ledger.observeJob(observation(3, { status: 'completed' }));
      const ids = async (s: Parameters<Ledger['listJobs']>[0]) =>
        (await ledger.listJobs(s)).map((j) => j.id).sort();
      expect(await ids(['queued'])).toEqual([1]);
      expect(await ids(['queued', 'in_progress'])).toEqual([1, 2]);
    });

    it('updates launch bookkeeping of a job', async () => {
      await ledger.observeJob(observation(1));
      const updated = await ledger.updateJob(1, {
        launchAttempts: 2,
        nextAttemptAt: 50,
        lastError: 'boom',
      });
      expect(updated).toMatchObject({
        launchAttempts: 2,
        nextAttemptAt: 50,
        lastError: 'boom',
        status: 'queued',
      });
      expect(await ledger.updateJob(404, { launchAttempts: 1 })).toBeUndefined();
    });

    it('stores runners, refuses a duplicate name, and updates them', async () => {
      await ledger.insertRunner(
        runner('r1', { state: 'launching', runnerId: null, sandboxId: null }),
      );
      await expect(ledger.insertRunner(runner('r1'))).rejects.toThrow(
        'runner r1 is already recorded',
      );
      const updated = await ledger.updateRunner('r1', {
        runnerId: 5,
        sandboxId: 'sb-1',
        state: 'booting',
        at: 42,
      });
      expect(updated).toMatchObject({
        name: 'r1',
        runnerId: 5,
        sandboxId: 'sb-1',
        state: 'booting',
        updatedAt: 42,
      });
      expect(await ledger.getRunner('r1')).toEqual(updated);
      expect(await ledger.updateRunner('nope', { state: 'done', at: 1 })).toBeUndefined();
    });

    it('lists runners by state', async () => {
      await ledger.insertRunner(runner('a', { state: 'booting' }));
      await ledger.insertRunner(runner('b', { state: 'busy' }));
      await ledger.insertRunner(runner('c', { state: 'done' }));
      const names = (await ledger.listRunners(['booting', 'busy'])).map((r) => r.name).sort();
      expect(names).toEqual(['a', 'b']);
    });

    it('keeps the scope of org and repo runners intact', async () => {
      await ledger.insertRunner(runner('o', { scope: { kind: 'org', org: 'acme' } }));
      await ledger.insertRunner(
        runner('p', { scope: { kind: 'repo', owner: 'jane', repo: 'dots' } }),
      );
      expect((await ledger.getRunner('p'))?.scope).toEqual({
        kind: 'repo',
        owner: 'jane',
        repo: 'dots',
      });
      expect((await ledger.getRunner('o'))?.scope).toEqual({ kind: 'org', org: 'acme' });
    });

    it('stores meta values and overwrites them', async () => {
      expect(await ledger.getMeta('k')).toBeUndefined();
      await ledger.setMeta('k', 'one');
      await ledger.setMeta('k', 'two');
      expect(await ledger.getMeta('k')).toBe('two');
    });

    it('prunes only finished records older than the cut-off', async () => {
      await ledger.observeJob(observation(1, { status: 'completed', at: 10 }));
      await ledger.observeJob(observation(2, { status: 'completed', at: 500 }));
      await ledger.observeJob(observation(3, { status: 'queued', at: 10 }));
      await ledger.insertRunner(runner('old-done', { state: 'done', updatedAt: 10 }));
      await ledger.insertRunner(runner('old-busy', { state: 'busy', updatedAt: 10 }));
      await ledger.insertRunner(runner('new-failed', { state: 'failed', updatedAt: 500 }));
      expect(await ledger.prune(100)).toEqual({ jobs: 1, runners: 1 });
      expect(await ledger.getJob(1)).toBeUndefined();
      expect(await ledger.getJob(2)).toBeDefined();
      expect(await ledger.getJob(3)).toBeDefined();
      expect(await ledger.getRunner('old-done')).toBeUndefined();
      expect(await ledger.getRunner('old-busy')).toBeDefined();
      expect(await ledger.getRunner('new-failed')).toBeDefined();
    });
  });
}
