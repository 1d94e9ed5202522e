import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import { backupCommand } from '../../src/cli/backup-command.js';
import { openSqliteLedger } from '../../src/ledger/sqlite-ledger.js';
import { observation } from '../ledger/ledger-contract.js';

const dirs: string[] = [];
const freshDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'backup-'));
  dirs.push(dir);
  return dir;
};
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

async function run(args: string[], env: Record<string, string>) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await backupCommand(args, {
    env,
    out: (t) => out.push(t),
    err: (t) => err.push(t),
  });
  return { code, out: out.join(''), err: err.join('') };
}

describe('modal-github-runner backup', () => {
  it('copies the ledger while the server holds it open and writes, and the copy restores', async () => {
    const dataDir = freshDir();
    const live = openSqliteLedger(dataDir);
    for (let id = 1; id <= 300; id++)
      await live.observeJob(observation(id, { status: 'queued', at: id }));
    const destination = join(freshDir(), 'ledger-backup.sqlite');
    const writing = (async () => {
      for (let id = 301; id <= 400; id++)
        await live.observeJob(observation(id, { status: 'queued', at: id }));
    })();
    const { code, out, err } = await run([destination], { DATA_DIR: dataDir });
    await writing;
    expect(err).toBe('');
    expect(code).toBe(0);
    expect(out).toMatch(
      /^Copied .*ledger\.sqlite to .*ledger-backup\.sqlite \(\d+ pages, schema version \d+\)/,
    );
    expect(statSync(destination).mode & 0o777).toBe(0o600);
    expect(existsSync(`${destination}-wal`)).toBe(false);

    // Restore as DEPLOY.md says: the copy becomes DATA_DIR/ledger.sqlite of a new directory.
    const restoredDir = freshDir();
    const { copyFileSync } = await import('node:fs');
    copyFileSync(destination, join(restoredDir, 'ledger.sqlite'));
    const restored = openSqliteLedger(restoredDir);
    const jobs = await restored.listJobs(['queued']);
    expect(jobs.length).toBeGreaterThanOrEqual(300);
    expect(jobs.map((j) => j.id)).toEqual(expect.arrayContaining([1, 150, 300]));
    await restored.close();
    await live.close();
  });

  it('copies a ledger no server holds open', async () => {
    const dataDir = freshDir();
    const ledger = openSqliteLedger(dataDir);
    await ledger.observeJob(observation(7, { status: 'queued', at: 1 }));
    await ledger.close();
    const destination = join(freshDir(), 'copy.sqlite');
    expect((await run([destination], { DATA_DIR: dataDir })).code).toBe(0);
    const restoredDir = freshDir();
    const { copyFileSync } = await import('node:fs');
    copyFileSync(destination, join(restoredDir, 'ledger.sqlite'));
    const restored = openSqliteLedger(restoredDir);
    expect(await restored.getJob(7)).toMatchObject({ status: 'queued' });
    await restored.close();
  });

  it('refuses to overwrite, and says what to do without a ledger or a file name', async () => {
    const dataDir = freshDir();
    const ledger = openSqliteLedger(dataDir);
    await ledger.close();
    const existing = join(dataDir, 'ledger.sqlite');
    expect(await run([existing], { DATA_DIR: dataDir })).toMatchObject({
      code: 1,
      err: expect.stringContaining('exists: choose a new file name'),
    });
    expect(await run(['x.sqlite'], { DATA_DIR: join(dataDir, 'nope') })).toMatchObject({
      code: 1,
      err: expect.stringContaining("set DATA_DIR to the server's data directory"),
    });
    expect(await run(['x.sqlite'], { DATA_DIR: ':memory:' })).toMatchObject({
      code: 1,
      err: expect.stringContaining('nothing to back up'),
    });
    expect(await run([], { DATA_DIR: dataDir })).toMatchObject({
      code: 2,
      err: expect.stringContaining('name one FILE'),
    });
    expect((await run(['--help'], {})).out).toContain('To restore');
  });

  it('with DATABASE_URL points to the backups of PostgreSQL instead of copying DATA_DIR', async () => {
    const destination = join(freshDir(), 'ledger-backup.sqlite');
    const { code, err } = await run([destination], {
      DATA_DIR: freshDir(),
      DATABASE_URL: 'postgres://runner:secret@db:5432/runners',
    });
    expect(code).toBe(1);
    expect(err).toContain('the ledger is in PostgreSQL (DATABASE_URL)');
    expect(err).toContain('pg_dump');
    expect(err).not.toContain('secret');
    expect(existsSync(destination)).toBe(false);
  });
});
