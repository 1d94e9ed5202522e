import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import { openSqliteLedger } from '../../src/ledger/sqlite-ledger.js';
import { runner } from '../../sim/records.js';
import { describeLedgerContract, observation } from './ledger-contract.js';

const dirs: string[] = [];
const freshDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'ledger-'));
  dirs.push(dir);
  return dir;
};
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

describeLedgerContract('sqlite', async () => openSqliteLedger(freshDir()));

describe('sqlite ledger durability', () => {
  it('keeps jobs and runners across a close and reopen of the same directory', async () => {
    const dir = freshDir();
    const first = openSqliteLedger(dir);
    await first.observeJob(observation(1, { status: 'queued', at: 10 }));
    await first.insertRunner(runner('r1', { state: 'booting', launchedForJobId: 1 }));
    await first.close();

    const second = openSqliteLedger(dir);
    expect(await second.getJob(1)).toMatchObject({
      status: 'queued',
      queuedAt: 10,
      labels: ['self-hosted', 'modal'],
    });
    expect(await second.getRunner('r1')).toMatchObject({ state: 'booting', launchedForJobId: 1 });
    await second.close();
  });
});

describe('sqlite ledger in-memory mirror of open jobs and live runners', () => {
  it('answers exactly what a fresh open of the same directory reads from SQLite', async () => {
    const dir = freshDir();
    const ledger = openSqliteLedger(dir);
    // Jobs through every status, runners through every state, with patches in between.
    for (let id = 1; id <= 40; id++) {
      await ledger.observeJob(
        observation(id, { status: id % 7 === 0 ? 'waiting' : 'queued', at: id }),
      );
    }
    for (let id = 1; id <= 40; id += 3) {
      await ledger.observeJob(observation(id, { status: 'in_progress', at: 100 + id }));
    }
    for (let id = 1; id <= 40; id += 5) {
      await ledger.observeJob(
        observation(id, { status: 'completed', conclusion: 'success', at: 200 + id }),
      );
    }
    await ledger.updateJob(2, { launchAttempts: 3, nextAttemptAt: 999, lastError: 'boom' });
    await ledger.updateJob(6, { lastError: 'patched after completion' });
    const states = ['launching', 'booting', 'idle', 'busy', 'finishing', 'done', 'failed'] as const;
    for (const [i, state] of states.entries()) {
      await ledger.insertRunner(runner(`r${i}`, { state: 'launching', createdAt: i }));
      await ledger.updateRunner(`r${i}`, { state, sandboxId: `sb-${i}`, at: 50 + i });
    }
    await ledger.updateRunner('r1', { state: 'done', at: 70 }); // leaves the live set
    await ledger.updateRunner('r5', { lastError: 'late note', at: 71 }); // done stays done

    const reopened = openSqliteLedger(dir);
    const byId = <T extends { id: number }>(xs: T[]) => [...xs].sort((a, b) => a.id - b.id);
    const byName = <T extends { name: string }>(xs: T[]) =>
      [...xs].sort((a, b) => a.name.localeCompare(b.name));
    for (const statuses of [
      ['queued'],
      ['waiting', 'queued', 'in_progress'],
      ['in_progress', 'completed'],
      ['completed'],
    ] as const) {
      expect(byId(await ledger.listJobs(statuses))).toEqual(
        byId(await reopened.listJobs(statuses)),
      );
    }
    for (const set of [
      ['launching', 'booting', 'idle', 'busy', 'finishing'],
      ['busy'],
      ['done', 'failed'],
      ['idle', 'failed'],
    ] as const) {
      expect(byName(await ledger.listRunners(set))).toEqual(
        byName(await reopened.listRunners(set)),
      );
    }
    for (const id of [2, 6, 7, 40])
      expect(await ledger.getJob(id)).toEqual(await reopened.getJob(id));
    for (const name of ['r1', 'r3', 'r5'])
      expect(await ledger.getRunner(name)).toEqual(await reopened.getRunner(name));
    expect((await ledger.listRunners(['done'])).map((r) => r.name).sort()).toEqual(['r1', 'r5']);
    expect((await ledger.getJob(2))?.lastError).toBe('boom');
    await reopened.close();
    await ledger.close();
  });
});

describe('sqlite ledger without the mirror', () => {
  it("a reader beside the owner sees the owner's later writes", async () => {
    const dir = freshDir();
    const owner = openSqliteLedger(dir);
    const reader = openSqliteLedger(dir, { mirror: false });
    await owner.observeJob(observation(1, { status: 'queued', at: 1 }));
    await owner.insertRunner(runner('r1', { state: 'booting' }));
    const mirrored = openSqliteLedger(dir);
    expect((await reader.listJobs(['queued'])).map((j) => j.id)).toEqual([1]);
    expect((await reader.listRunners(['booting'])).map((r) => r.name)).toEqual(['r1']);
    await owner.observeJob(observation(1, { status: 'completed', conclusion: 'success', at: 2 }));
    await owner.updateRunner('r1', { state: 'done', at: 3 });
    expect(await reader.listJobs(['queued'])).toEqual([]);
    expect(await reader.listRunners(['booting'])).toEqual([]);
    // What the mirror is for, and why only the owner may use it: a second mirrored instance
    // opened before the later writes keeps what it loaded.
    expect((await mirrored.listJobs(['queued'])).map((j) => j.id)).toEqual([1]);
    for (const l of [owner, reader, mirrored]) await l.close();
  });
});
