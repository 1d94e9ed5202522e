import { afterAll, describe, expect, it } from '@jest/globals';
import { isLeadershipLost, LeadershipLostError } from '../../src/domain/leadership-lost.js';
import type { JobStatus } from '../../src/domain/job-status.js';
import type { Ledger } from '../../src/ledger/ledger.js';
import { LedgerSchemaError } from '../../src/ledger/ledger-error.js';
import { createPostgresLeaseStore } from '../../src/ledger/postgres-lease.js';
import { openPostgresLedger, type PostgresLedger } from '../../src/ledger/postgres-ledger.js';
import { POSTGRES_MIGRATIONS } from '../../src/ledger/postgres-migrations.js';
import { runner } from '../../sim/records.js';
import {
  TEST_DATABASE_URL,
  createSchema,
  dropSchemas,
  sqlIn,
  uniqueSchema,
} from '../../sim/test-database.js';
import { describeLedgerContract, observation } from './ledger-contract.js';

const schemas = new Set<string>();
afterAll(() => dropSchemas(schemas));

/** A ledger in a schema of its own (created and migrated). */
async function fresh(schema = uniqueSchema('ledger')): Promise<PostgresLedger> {
  schemas.add(schema);
  const { ledger } = await openPostgresLedger({ url: TEST_DATABASE_URL, schema, max: 4 });
  return ledger;
}

describeLedgerContract('postgres', () => fresh());

describeLedgerContract('postgres, fenced by a held lease', async () => {
  const base = await fresh();
  const lease = await createPostgresLeaseStore(base.db).tryAcquire('contract', 60_000);
  if (lease.epoch === null) throw new Error('no lease');
  const view = base.fenced({ epoch: lease.epoch, holds: () => true, onRefused: () => {} });
  return { ...view, close: () => base.close() };
});

describe('postgres ledger fencing', () => {
  async function deposedLeader() {
    const ledger = await fresh();
    const store = createPostgresLeaseStore(ledger.db);
    const first = await store.tryAcquire('old-leader', 60_000);
    const refused: LeadershipLostError[] = [];
    const view = ledger.fenced({
      epoch: first.epoch ?? -1,
      holds: () => true,
      onRefused: (e) => refused.push(e),
    });
    await view.insertRunner(runner('r1', { state: 'launching' }));
    await ledger.observeJob(observation(1));
    // The old leader pauses; its lease runs out and another replica takes over.
    await store.release('old-leader', first.epoch ?? -1);
    const second = await store.tryAcquire('new-leader', 60_000);
    return { ledger, store, view, refused, first, second };
  }

  it('a takeover raises the epoch, and every runner or job write of the old term is refused', async () => {
    const { ledger, view, refused, first, second } = await deposedLeader();
    expect(second).toMatchObject({ acquired: true, holder: 'new-leader' });
    expect(second.epoch).toBe((first.epoch ?? 0) + 1);
    await expect(view.insertRunner(runner('r2', { state: 'launching' }))).rejects.toThrow(
      LeadershipLostError,
    );
    await expect(
      view.updateRunner('r1', { state: 'booting', sandboxId: 'sb-x', at: 5 }),
    ).rejects.toThrow(/refused an update of runner r1: the lease has moved on/);
    await expect(view.updateJob(1, { launchAttempts: 3 })).rejects.toThrow(LeadershipLostError);
    expect(refused).toHaveLength(3);
    expect(refused.every(isLeadershipLost)).toBe(true);
    // Nothing of it was written.
    expect(await ledger.getRunner('r2')).toBeUndefined();
    expect(await ledger.getRunner('r1')).toMatchObject({ state: 'launching', sandboxId: 'sb-r1' });
    expect((await ledger.getJob(1))?.launchAttempts).toBe(0);
    // The new leader's writes go through, and name its epoch.
    const current = ledger.fenced({
      epoch: second.epoch ?? -1,
      holds: () => true,
      onRefused: () => {},
    });
    await current.updateRunner('r1', { state: 'failed', at: 6 });
    const [row] = await sqlIn<{ fence_epoch: number }>(
      ledger.db.schema,
      "SELECT fence_epoch FROM runners WHERE name = 'r1'",
    );
    expect(Number(row?.fence_epoch)).toBe(second.epoch);
    await ledger.close();
  });

  it('an update of a runner that does not exist is not a refusal', async () => {
    const ledger = await fresh();
    const lease = await createPostgresLeaseStore(ledger.db).tryAcquire('leader', 60_000);
    const refused: unknown[] = [];
    const view = ledger.fenced({
      epoch: lease.epoch ?? -1,
      holds: () => true,
      onRefused: (e) => refused.push(e),
    });
    expect(await view.updateRunner('nope', { state: 'done', at: 1 })).toBeUndefined();
    expect(await view.updateJob(404, { launchAttempts: 1 })).toBeUndefined();
    expect(refused).toEqual([]);
    await ledger.close();
  });

  it('a leader that no longer trusts its lease writes nothing, without asking the database', async () => {
    const ledger = await fresh();
    const lease = await createPostgresLeaseStore(ledger.db).tryAcquire('leader', 60_000);
    const view = ledger.fenced({
      epoch: lease.epoch ?? -1,
      holds: () => false,
      onRefused: () => {},
    });
    await expect(view.insertRunner(runner('r1'))).rejects.toThrow(
      /ran out by this replica's clock/,
    );
    expect(await ledger.getRunner('r1')).toBeUndefined();
    await ledger.close();
  });

  it('a write under way holds a takeover off until it is committed', async () => {
    const ledger = await fresh();
    const store = createPostgresLeaseStore(ledger.db);
    const lease = await store.tryAcquire('leader', 300);
    await ledger.insertRunner(runner('r1', { state: 'launching' }));
    // A fenced write's transaction, left open: it holds the share lock on the lease row.
    const client = await ledger.db.pool.connect();
    try {
      await client.query('BEGIN');
      await client.query(
        "UPDATE runners SET state = 'booting' FROM (SELECT epoch FROM leader_lease WHERE id = 1 AND epoch = $1 FOR SHARE) AS lease WHERE runners.name = 'r1'",
        [lease.epoch],
      );
      await new Promise((r) => setTimeout(r, 400)); // the lease expires meanwhile
      let settled = false;
      const takeover = store.tryAcquire('next', 60_000).finally(() => {
        settled = true;
      });
      await new Promise((r) => setTimeout(r, 300));
      expect(settled).toBe(false);
      await client.query('COMMIT');
      expect(await takeover).toMatchObject({ acquired: true, holder: 'next' });
    } finally {
      client.release();
    }
    expect((await ledger.getRunner('r1'))?.state).toBe('booting');
    await ledger.close();
  });
});

describe('postgres ledger shared by replicas', () => {
  it('concurrent observations of the same jobs from two replicas only ever move forward', async () => {
    const schema = uniqueSchema('shared');
    await createSchema(schema);
    const a = await fresh(schema);
    const b = await fresh(schema);
    const steps: { status: JobStatus; runnerName: string | null; at: number }[] = [
      { status: 'queued', runnerName: null, at: 1 },
      { status: 'in_progress', runnerName: 'r', at: 2 },
      { status: 'completed', runnerName: 'r', at: 3 },
    ];
    const writes: Promise<unknown>[] = [];
    for (let id = 1; id <= 40; id++) {
      // Every step of every job twice, from both replicas, in a shuffled order.
      const order = [...steps, ...steps].sort(() => Math.random() - 0.5);
      order.forEach((step, i) =>
        writes.push((i % 2 === 0 ? a : b).observeJob(observation(id, step))),
      );
    }
    await Promise.all(writes);
    const jobs = await a.listJobs(['waiting', 'queued', 'in_progress', 'completed']);
    expect(jobs).toHaveLength(40);
    for (const job of jobs) {
      expect(job).toMatchObject({ status: 'completed', runnerName: 'r', completedAt: 3 });
    }
    // What one replica wrote, the other reads.
    await b.insertRunner(runner('from-b'));
    expect(await a.getRunner('from-b')).toMatchObject({ name: 'from-b' });
    await a.close();
    await b.close();
  });
});

describe('postgres migrations', () => {
  it('replicas starting together migrate once', async () => {
    const schema = uniqueSchema('migrate');
    await createSchema(schema);
    const opened = await Promise.all([1, 2, 3].map(() => fresh(schema)));
    const rows = await sqlIn<{ version: number }>(schema, 'SELECT version FROM schema_migrations');
    expect(rows.map((r) => r.version)).toEqual(POSTGRES_MIGRATIONS.map((m) => m.version));
    for (const l of opened) await l.close();
  });

  it('runs beside a newer schema that says it is compatible, and refuses one that is not', async () => {
    const schema = uniqueSchema('newer');
    await (await fresh(schema)).close();
    const next = POSTGRES_MIGRATIONS.length + 1;
    await sqlIn(
      schema,
      'INSERT INTO schema_migrations (version, compatible_from) VALUES ($1, $2)',
      [next, POSTGRES_MIGRATIONS.length],
    );
    const old = await fresh(schema);
    await old.observeJob(observation(1));
    await old.close();
    await sqlIn(
      schema,
      'INSERT INTO schema_migrations (version, compatible_from) VALUES ($1, $2)',
      [next + 1, next + 1],
    );
    await expect(fresh(schema)).rejects.toThrow(LedgerSchemaError);
    await expect(fresh(schema)).rejects.toThrow(/run a newer modal-github-runner/);
  });
});

describe('postgres lease', () => {
  it('one holder at a time; renewals by a deposed holder fail', async () => {
    const ledger: Ledger & { db: PostgresLedger['db'] } = await fresh();
    const store = createPostgresLeaseStore(ledger.db);
    const a = await store.tryAcquire('a', 200);
    expect(a).toEqual({ acquired: true, holder: 'a', epoch: 1 });
    expect(await store.tryAcquire('b', 200)).toEqual({ acquired: false, holder: 'a', epoch: 1 });
    expect(await store.renew('a', 1, 200)).toBe(true);
    await new Promise((r) => setTimeout(r, 300));
    expect(await store.renew('a', 1, 200)).toBe(false);
    expect(await store.tryAcquire('b', 60_000)).toEqual({ acquired: true, holder: 'b', epoch: 2 });
    expect(await store.renew('a', 1, 200)).toBe(false);
    await store.release('a', 1);
    expect(await store.tryAcquire('a', 200)).toEqual({ acquired: false, holder: 'b', epoch: 2 });
    await store.release('b', 2);
    expect(await store.tryAcquire('a', 200)).toMatchObject({ acquired: true, epoch: 3 });
    await ledger.close();
  });
});
