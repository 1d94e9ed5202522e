import { afterAll, describe, expect, it } from '@jest/globals';
import { loadConfig } from '../../src/config/config.js';
import { checkDatabase } from '../../src/doctor/database-check.js';
import { createPostgresLeaseStore } from '../../src/ledger/postgres-lease.js';
import { openPostgresLedger } from '../../src/ledger/postgres-ledger.js';
import { freePort, testPrivateKey, WEBHOOK_SECRET } from '../../sim/harness.js';
import {
  createSchema,
  dropSchemas,
  sqlIn,
  TEST_DATABASE_URL,
  uniqueSchema,
  urlForSchema,
} from '../../sim/test-database.js';

const schemas = new Set<string>();
afterAll(() => dropSchemas(schemas));

const configWith = (env: Record<string, string>) =>
  loadConfig({ APP_ID: '1', PRIVATE_KEY: testPrivateKey(), WEBHOOK_SECRET, ...env });

async function schema(): Promise<string> {
  const name = uniqueSchema('doctor');
  schemas.add(name);
  await createSchema(name);
  return name;
}

const summaries = (results: Awaited<ReturnType<typeof checkDatabase>>) =>
  results.map((r) => `${r.status} ${r.name}: ${r.summary}`);

describe('doctor: the database', () => {
  it('checks nothing without DATABASE_URL', async () => {
    expect(await checkDatabase(configWith({}))).toEqual([]);
  });

  it('fails with the fix when PostgreSQL cannot be reached, never printing the password', async () => {
    const url = new URL(TEST_DATABASE_URL);
    url.host = `127.0.0.1:${await freePort()}`;
    url.password = 'hunter2-secret';
    const [result] = await checkDatabase(configWith({ DATABASE_URL: url.toString() }));
    expect(result).toMatchObject({ section: 'Database', name: 'connection', status: 'FAIL' });
    expect(result?.summary).toMatch(/^PostgreSQL at 127\.0\.0\.1:\d+\/test cannot be used$/);
    expect(result?.fix).toContain('DATABASE_URL');
    expect(JSON.stringify(result)).not.toContain('hunter2-secret');
  });

  it('a database no server has used yet: reachable, to be migrated, nobody leads', async () => {
    const name = await schema();
    const results = await checkDatabase(configWith({ DATABASE_URL: urlForSchema(name) }));
    expect(summaries(results)).toEqual([
      expect.stringMatching(new RegExp(`^PASS connection: PostgreSQL \\d+.* schema ${name}$`)),
      'WARN migrations: schema version 0, this build migrates it to 1',
      'INFO leader: no replica has led yet (no server has started)',
    ]);
  });

  it('a database in use: schema current, and who leads', async () => {
    const name = await schema();
    const { ledger } = await openPostgresLedger({ url: TEST_DATABASE_URL, schema: name });
    const store = createPostgresLeaseStore(ledger.db);
    await store.tryAcquire('replica-a', 60_000);
    const url = urlForSchema(name);
    const results = await checkDatabase(configWith({ DATABASE_URL: url }));
    expect(summaries(results).slice(1)).toEqual([
      'PASS migrations: schema version 1, current',
      expect.stringMatching(
        /^PASS leader: replica replica-a leads \(lease epoch 1, renewed, (59|60)\.\d s left\)$/,
      ),
    ]);
    await store.release('replica-a', 1);
    const [, , lapsed] = await checkDatabase(configWith({ DATABASE_URL: url }));
    expect(lapsed).toMatchObject({ status: 'WARN', name: 'leader' });
    expect(lapsed?.summary).toContain('no replica leads: the last leader, replica-a (epoch 1)');
    // A newer release's schema that this build cannot run with.
    await sqlIn(name, 'INSERT INTO schema_migrations (version, compatible_from) VALUES (9, 9)');
    const [, migrations] = await checkDatabase(configWith({ DATABASE_URL: url }));
    expect(migrations).toMatchObject({ status: 'FAIL', name: 'migrations' });
    await ledger.close();
  });
});
