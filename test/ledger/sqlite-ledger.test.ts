import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import { DataDirLockedError } from '../../src/ledger/data-dir-lock.js';
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

    // What SQLite itself holds, read beside the owner.
    const reopened = openSqliteLedger(dir, { mirror: false });
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
    expect((await reader.listJobs(['queued'])).map((j) => j.id)).toEqual([1]);
    expect((await reader.listRunners(['booting'])).map((r) => r.name)).toEqual(['r1']);
    await owner.observeJob(observation(1, { status: 'completed', conclusion: 'success', at: 2 }));
    await owner.updateRunner('r1', { state: 'done', at: 3 });
    expect(await reader.listJobs(['queued'])).toEqual([]);
    expect(await reader.listRunners(['booting'])).toEqual([]);
    for (const l of [owner, reader]) await l.close();
  });
});

describe('sqlite ledger: one owner per data directory', () => {
  /** A child process that opens the ledger in `dir` as its owner and waits. */
  const holder = (dir: string) => {
    const script =
      `const { openSqliteLedger } = await import(${JSON.stringify(join(process.cwd(), 'src/ledger/sqlite-ledger.ts'))});` +
      `openSqliteLedger(${JSON.stringify(dir)}); process.stdout.write('held\\n'); setInterval(() => {}, 1000);`;
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', '--input-type=module', '-e', script],
      {
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    const held = new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (d: Buffer) => d.toString().includes('held') && resolve());
      child.once('exit', (code) => reject(new Error(`holder exited ${code}`)));
    });
    return { child, held };
  };

  it('refuses a second owner in this process, naming the holder; the directory is free after close', async () => {
    const dir = freshDir();
    const first = openSqliteLedger(dir);
    expect(() => openSqliteLedger(dir)).toThrow(DataDirLockedError);
    expect(() => openSqliteLedger(dir)).toThrow(`pid ${process.pid} on ${hostname()}`);
    await first.close();
    const second = openSqliteLedger(dir);
    await second.close();
  });

  it('refuses while another process holds it, and is free once that process is killed', async () => {
    const dir = freshDir();
    const { child, held } = holder(dir);
    await held;
    let refused: unknown;
    try {
      openSqliteLedger(dir);
    } catch (error) {
      refused = error;
    }
    expect(refused).toBeInstanceOf(DataDirLockedError);
    expect((refused as Error).message).toContain(`pid ${child.pid}`);
    // SIGKILL leaves no chance to clean up: the kernel drops the lock.
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
    const owner = openSqliteLedger(dir);
    await owner.observeJob(observation(1, { status: 'queued', at: 1 }));
    await owner.close();
  }, 20_000);

  it('keeps the directory and its files private to the owner', async () => {
    const dir = join(freshDir(), 'data');
    const ledger = openSqliteLedger(dir);
    await ledger.observeJob(observation(1, { status: 'queued', at: 1 }));
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    for (const file of readdirSync(dir)) {
      expect([file, statSync(join(dir, file)).mode & 0o777]).toEqual([file, 0o600]);
    }
    expect(readdirSync(dir)).toEqual(
      expect.arrayContaining(['ledger.sqlite', 'ledger.sqlite-wal']),
    );
    await ledger.close();
  });
});

describe('sqlite ledger: group commit of job observations', () => {
  it('commits the observations of one event-loop turn in one transaction, each caller answered after it', async () => {
    const dir = freshDir();
    const ledger = openSqliteLedger(dir);
    const reader = openSqliteLedger(dir, { mirror: false });
    const pending = Array.from({ length: 50 }, (_, i) =>
      ledger.observeJob(observation(i + 1, { status: 'queued', at: i })),
    );
    // Two observations of one job in the same batch: the later one wins, as if sequential.
    pending.push(ledger.observeJob(observation(3, { status: 'in_progress', at: 100 })));
    // Nothing is written before the turn ends.
    expect(await reader.listJobs(['queued'])).toEqual([]);
    const results = await Promise.all(pending);
    expect(results.filter((r) => r.changed)).toHaveLength(51);
    expect(results[50]?.job).toMatchObject({ id: 3, status: 'in_progress', queuedAt: 2 });
    expect(await reader.listJobs(['queued'])).toHaveLength(49);
    expect((await reader.getJob(3))?.status).toBe('in_progress');
    await reader.close();
    await ledger.close();
  });

  it('answers every caller of a failed commit with the error, and forgets nothing it had', async () => {
    const dir = freshDir();
    const ledger = openSqliteLedger(dir);
    await ledger.observeJob(observation(1, { status: 'queued', at: 1 }));
    // Another connection holds the write lock: the commit fails (busy_timeout elapses).
    const blocker = new Database(join(dir, 'ledger.sqlite'), { timeout: 0 });
    blocker.exec('BEGIN IMMEDIATE');
    const failing = [
      ledger.observeJob(observation(1, { status: 'in_progress', at: 2 })),
      ledger.observeJob(observation(2, { status: 'queued', at: 2 })),
    ];
    const outcomes = await Promise.allSettled(failing);
    expect(outcomes.map((o) => o.status)).toEqual(['rejected', 'rejected']);
    blocker.exec('ROLLBACK');
    blocker.close();
    expect((await ledger.getJob(1))?.status).toBe('queued');
    expect(await ledger.getJob(2)).toBeUndefined();
    // The same observations, delivered again, are recorded.
    await ledger.observeJob(observation(1, { status: 'in_progress', at: 2 }));
    expect((await ledger.getJob(1))?.status).toBe('in_progress');
    await ledger.close();
  }, 20_000);
});
