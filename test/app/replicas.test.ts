import { createServer, type Server, type Socket, connect } from 'node:net';
import { afterAll, afterEach, describe, expect, it } from '@jest/globals';
import { loadConfig, withTimings } from '../../src/config/config.js';
import { createLogger } from '../../src/create-logger.js';
import { startServer, type RunningServer } from '../../src/server/start-server.js';
import { FakeGitHub } from '../../sim/fake-github.js';
import { FakeModal } from '../../sim/modal/fake-modal.js';
import { createFakeModalClient } from '../../sim/modal/modal-client.js';
import { attachFakeRunners } from '../../sim/fake-runners.js';
import {
  eventually,
  freePort,
  LogCapture,
  testPrivateKey,
  WEBHOOK_SECRET,
} from '../../sim/harness.js';
import {
  TEST_DATABASE_URL,
  createSchema,
  dropSchemas,
  uniqueSchema,
  urlForSchema,
} from '../../sim/test-database.js';
import { workflowJobPayload } from '../../sim/webhooks.js';

const STATUS_TOKEN = 'replica-status-token-0123456789';
const schemas = new Set<string>();
afterAll(() => dropSchemas(schemas));

interface Replica {
  readonly id: string;
  readonly server: RunningServer;
  readonly logs: LogCapture;
  readonly webhookUrl: string;
}

const running: Replica[] = [];
let cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const r of running.splice(0).reverse()) await r.server.stop().catch(() => {});
  for (const c of cleanups.reverse()) await c();
  cleanups = [];
});

async function world() {
  const github = await new FakeGitHub().start();
  github.webhookSecret = WEBHOOK_SECRET;
  const modal = new FakeModal();
  const runners = attachFakeRunners(github, modal, { bootMs: 20, jobMs: 50 });
  cleanups.push(async () => {
    runners.detach();
    modal.close();
    await github.stop();
  });
  const schema = uniqueSchema('replicas');
  schemas.add(schema);
  await createSchema(schema);
  return { github, modal, runners, schema };
}

async function startReplica(
  w: Awaited<ReturnType<typeof world>>,
  id: string,
  databaseUrl = urlForSchema(w.schema),
): Promise<Replica> {
  const port = await freePort();
  const config = withTimings(
    loadConfig({
      APP_ID: '12345',
      PRIVATE_KEY: testPrivateKey(),
      WEBHOOK_SECRET,
      GHE_HOST: new URL(w.github.baseUrl).host,
      GHE_PROTOCOL: 'http',
      HOST: '127.0.0.1',
      PORT: String(port),
      DATABASE_URL: databaseUrl,
      REPLICA_ID: id,
      STATUS_TOKEN,
      MAX_RUNNERS: '4',
      LOG_LEVEL: 'debug',
      // Only a signal can wake the leader this fast: its reconciler waits a minute.
      RECONCILE_INTERVAL_SECONDS: '60',
    }),
    {
      // Long enough that a busy machine does not cost a leader its lease.
      leaseTtlMs: 3_000,
      leaseRenewMs: 250,
      leaseRetryMs: 250,
      retryPolicy: { attempts: 3, baseDelayMs: 50, maxDelayMs: 200 },
      sandboxListLagMs: 200,
    },
  );
  const logs = new LogCapture();
  const log = await createLogger({ level: 'debug', destination: logs.stream });
  const server = await startServer({ config, log, modalClient: createFakeModalClient(w.modal) });
  const replica = { id, server, logs, webhookUrl: `${server.url}/api/github/webhooks` };
  running.push(replica);
  return replica;
}

async function queue(w: Awaited<ReturnType<typeof world>>, to: Replica, id: number) {
  w.github.webhookUrl = to.webhookUrl;
  w.github.addJob({ id, runId: id * 10, repo: 'acme/api', labels: ['self-hosted', 'modal'] });
  return w.github.deliver('workflow_job', workflowJobPayload({ id, runId: id * 10 }));
}

const get = (r: Replica, path: string) =>
  fetch(`${r.server.url}${path}`, { headers: { authorization: `Bearer ${STATUS_TOKEN}` } });
const sandboxFor = (modal: FakeModal, jobId: number) =>
  modal.created.find((s) => s.tags['job-id'] === String(jobId));

describe('several replicas on one PostgreSQL', () => {
  it('one leads; a job recorded by a follower is launched by the leader at once, and every replica says who leads', async () => {
    const w = await world();
    const a = await startReplica(w, 'replica-a');
    await eventually(() => a.server.leadership.info().isLeader, 'a leads');
    const b = await startReplica(w, 'replica-b');
    await eventually(() => b.server.leadership.info().leader === 'replica-a', 'b sees a lead');

    const delivery = await queue(w, b, 1);
    expect(`${delivery.statusCode} ${delivery.status}`).toBe('200 OK');
    // Woken over LISTEN/NOTIFY: well before the leader's next reconciliation (a minute).
    await eventually(() => sandboxFor(w.modal, 1) !== undefined, 'a sandbox for job 1', 3_000);
    await eventually(() => w.github.jobs.get(1)?.status === 'completed', 'job 1 completed');
    expect(a.logs.text).toContain('runner launched');
    expect(b.logs.text).not.toContain('runner launched');
    expect(b.logs.text).toContain('job recorded');

    const ready = (await (await get(b, '/readyz')).json()) as { replica: unknown };
    expect(ready.replica).toEqual({
      replicaId: 'replica-b',
      leader: 'replica-a',
      epoch: 1,
      isLeader: false,
    });
    const metricsB = await (await get(b, '/metrics')).text();
    expect(metricsB).toContain('modal_runner_is_leader{replica="replica-b",leader="replica-a"} 0');
    const metricsA = await (await get(a, '/metrics')).text();
    expect(metricsA).toContain('modal_runner_is_leader{replica="replica-a",leader="replica-a"} 1');
    // A follower serves the status from the shared ledger.
    const status = (await (await get(b, '/status.json')).json()) as {
      replica: unknown;
      summary: { queuedJobs: number };
    };
    expect(status.replica).toEqual({ id: 'replica-b', leader: 'replica-a', isLeader: false });
    const html = await (await get(b, '/status')).text();
    expect(html).toContain('Served by replica replica-b; leader: replica-a.');
  });

  it('when the leader stops, a follower takes over at once, reconciles and launches', async () => {
    const w = await world();
    const a = await startReplica(w, 'replica-a');
    await eventually(() => a.server.leadership.info().isLeader, 'a leads');
    const b = await startReplica(w, 'replica-b');
    await eventually(() => b.server.leadership.info().leader === 'replica-a', 'b sees a lead');
    await queue(w, a, 1);
    await eventually(() => w.github.jobs.get(1)?.status === 'completed', 'job 1 completed');

    await a.server.stop();
    running.splice(running.indexOf(a), 1);
    // The lease was given up (a renewed it until then) and signalled: b does not wait for it to
    // expire (3 s) nor for its next try.
    const released = Date.now();
    await eventually(() => b.server.leadership.info().isLeader, 'b leads', 2_000);
    expect(Date.now() - released).toBeLessThan(1_000);
    expect(b.server.leadership.info().epoch).toBe(2);
    await eventually(
      () => b.logs.text.includes('leader term started: reconciled, now planning'),
      'b reconciled before planning',
    );
    await queue(w, b, 2);
    await eventually(() => w.github.jobs.get(2)?.status === 'completed', 'job 2 completed');
    await eventually(() => w.modal.liveCount() === 0, 'no sandbox left');
    // One sandbox per job: the takeover launched nothing twice.
    expect(w.modal.created.map((sb) => sb.tags['job-id'])).toEqual(['1', '2']);
  });
});

/** A TCP proxy in front of PostgreSQL that a test can cut and restore. */
async function databaseProxy(): Promise<{
  url: string;
  cut(): Promise<void>;
  restore(): Promise<void>;
}> {
  const target = new URL(TEST_DATABASE_URL);
  const port = await freePort();
  const sockets = new Set<Socket>();
  let server: Server | undefined;
  const listen = () =>
    new Promise<void>((resolve) => {
      server = createServer((client) => {
        const upstream = connect(Number(target.port || 5432), target.hostname);
        for (const s of [client, upstream]) {
          sockets.add(s);
          s.on('close', () => sockets.delete(s));
          s.on('error', () => {});
        }
        client.pipe(upstream).pipe(client);
      });
      server.listen(port, '127.0.0.1', resolve);
    });
  await listen();
  const url = new URL(TEST_DATABASE_URL);
  url.host = `127.0.0.1:${port}`;
  return {
    url: url.toString(),
    async cut() {
      await new Promise<void>((resolve) => {
        server?.close(() => resolve());
        for (const s of sockets) s.destroy();
      });
    },
    restore: listen,
  };
}

describe('losing the database', () => {
  it('webhooks answer 500 and nothing launches while it is gone; afterwards the failed deliveries are redelivered and run', async () => {
    const w = await world();
    const proxy = await databaseProxy();
    cleanups.push(() => proxy.cut());
    const a = await startReplica(w, 'replica-a', urlForSchema(w.schema, proxy.url));
    await eventually(() => a.server.leadership.info().isLeader, 'a leads');
    await a.server.controller.settled();

    await proxy.cut();
    const failed = await queue(w, a, 1);
    expect(failed.statusCode).toBe(500);
    const recordFailure = a.logs.lines.find((l) => l.includes('could not record the job'));
    expect(recordFailure).toMatch(/the database 127\.0\.0\.1:\d+\/test cannot be used/);
    await eventually(() => !a.server.leadership.info().isLeader, 'a stops leading', 5_000);
    await eventually(
      () => a.logs.text.includes('the lease could not be renewed before it ran out'),
      'the log says why a stopped leading',
    );
    await new Promise((r) => setTimeout(r, 500));
    expect(w.modal.created).toHaveLength(0);

    await proxy.restore();
    await eventually(() => a.server.leadership.info().isLeader, 'a leads again', 10_000);
    expect(a.server.leadership.info().epoch).toBe(2);
    // The new term's first reconciliation asks GitHub to redeliver the failed delivery.
    await eventually(() => w.github.jobs.get(1)?.status === 'completed', 'job 1 completed', 15_000);
    expect(w.github.deliveries.some((d) => d.redelivery && d.statusCode === 200)).toBe(true);
    // The database URL is logged without its password.
    const { password } = new URL(TEST_DATABASE_URL);
    expect(a.logs.text).toContain(':***@127.0.0.1');
    if (password) expect(a.logs.text).not.toContain(`:${password}@`);
  });
});
