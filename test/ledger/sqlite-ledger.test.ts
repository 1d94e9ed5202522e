import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import { openSqliteLedger } from '../../src/ledger/sqlite-ledger.js';
import { runner } from '../support/records.js';
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
