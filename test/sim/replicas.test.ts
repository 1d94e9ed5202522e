import { afterAll, describe, expect, it } from '@jest/globals';
import { openPostgresLedger } from '../../src/ledger/postgres-ledger.js';
import { serveFakeModal } from '../../sim/modal/bridge.js';
import { FakeModal } from '../../sim/modal/fake-modal.js';
import { FakeGitHub } from '../../sim/fake-github.js';
import { attachFakeRunners } from '../../sim/fake-runners.js';
import { eventually, freePort, WEBHOOK_SECRET } from '../../sim/harness.js';
import {
  createSchema,
  dropSchemas,
  TEST_DATABASE_URL,
  uniqueSchema,
  urlForSchema,
} from '../../sim/test-database.js';
import { startLoadBalancer } from './load-balancer.js';
import { expectConverged, FAST, queueBurst, seeded } from './scenario.js';
import {
  killServerProcess,
  simServerEnv,
  startServerProcess,
  type ServerChild,
} from './server-process.js';

const MAX_RUNNERS = 10;
const JOBS = 300;
/** Long enough that a busy machine (a stalled event loop) does not cost a leader its lease. */
const LEASE_TTL_MS = 3_000;

interface Replica extends ServerChild {
  readonly id: string;
  readonly url: string;
  state: 'running' | 'killed' | 'stopped';
}

interface ReadyBody {
  readonly replica: { replicaId: string; leader: string | null; isLeader: boolean; epoch: number };
}

const schema = uniqueSchema('sim');
afterAll(() => dropSchemas([schema]));

/** What a replica answers on /readyz about leadership, or undefined when it does not answer. */
async function leadership(r: Replica): Promise<ReadyBody['replica'] | undefined> {
  if (r.state !== 'running') return undefined;
  try {
    const res = await fetch(`${r.url}/readyz`, { signal: AbortSignal.timeout(2_000) });
    return ((await res.json()) as ReadyBody).replica;
  } catch {
    return undefined;
  }
}

async function leaderAmong(replicas: readonly Replica[]): Promise<Replica | undefined> {
  for (const r of replicas) if ((await leadership(r))?.isLeader) return r;
  return undefined;
}

async function waitForLeader(replicas: readonly Replica[], timeoutMs: number): Promise<Replica> {
  let found: Replica | undefined;
  await eventually(
    async () => (found = await leaderAmong(replicas)) !== undefined,
    'a leader among the running replicas',
    timeoutMs,
  );
  return found as Replica;
}

/** The first moment more than `max` sandboxes were live, and which, or '' if never. */
function overCap(modal: FakeModal, max: number, milestones: readonly string[]): string {
  const changes = modal.created.flatMap((sb) => [
    { at: sb.createdAt, delta: 1, sb },
    { at: sb.finishedAt ?? Infinity, delta: -1, sb },
  ]);
  changes.sort((a, b) => a.at - b.at || a.delta - b.delta);
  const live = new Set<(typeof changes)[number]['sb']>();
  for (const change of changes) {
    if (change.delta > 0) live.add(change.sb);
    else live.delete(change.sb);
    if (live.size > max) {
      const rows = [...live].map(
        (sb) => `  ${sb.name} job ${sb.tags['job-id']} ${sb.createdAt}–${sb.finishedAt ?? 'live'}`,
      );
      return [`${live.size} live at ${change.at} (${milestones.join(', ')}):`, ...rows].join('\n');
    }
  }
  return '';
}

describe('three replicas on one PostgreSQL', () => {
  it('a burst of 300 jobs through a load balancer; SIGKILL the leader, then SIGSTOP the next one past its lease: every job runs, the cap holds throughout, nothing doubled or left', async () => {
    await createSchema(schema);
    const github = await new FakeGitHub().start();
    github.webhookSecret = WEBHOOK_SECRET;
    const modal = new FakeModal();
    // Slow creates, so that the kill and the pause land with launches in flight.
    modal.latencyMs.SandboxCreateV2 = 150;
    const bridge = await serveFakeModal(modal);
    const runners = attachFakeRunners(github, modal, { bootMs: 20, jobMs: 100 });
    const databaseUrl = urlForSchema(schema);
    const replicas: Replica[] = [];
    for (const id of ['replica-a', 'replica-b', 'replica-c']) {
      const port = await freePort();
      const child = await startServerProcess(
        simServerEnv(
          github,
          { port, bridgeUrl: bridge.url },
          {
            DATABASE_URL: databaseUrl,
            REPLICA_ID: id,
            MAX_RUNNERS: String(MAX_RUNNERS),
            MAX_CONCURRENT_LAUNCHES: '4',
            REDELIVERY_LOOKBACK_HOURS: '1',
            RUNNER_BOOT_TIMEOUT_SECONDS: '30',
            SIM_TIMINGS: JSON.stringify({
              ...FAST,
              leaseTtlMs: LEASE_TTL_MS,
              leaseRenewMs: 300,
              leaseRetryMs: 300,
            }),
          },
        ),
      );
      replicas.push({ ...child, id, url: `http://127.0.0.1:${port}`, state: 'running' });
    }
    const balancer = await startLoadBalancer(replicas.map((r) => r.url));
    github.webhookUrl = `${balancer.url}/api/github/webhooks`;
    const running = () => replicas.filter((r) => r.state === 'running');
    const jobsRun = () => runners.stats.jobsRun;
    const milestones: string[] = [];
    const mark = (what: string) => milestones.push(`${Date.now()} ${what}`);
    try {
      const first = await waitForLeader(replicas, 10_000);
      const burst = queueBurst({ github }, { jobs: JOBS, random: seeded(15) });

      // 1. The leader dies mid-burst.
      await eventually(() => jobsRun() >= 40, 'jobs run before the kill', 60_000);
      first.process.kill('SIGKILL');
      mark(`SIGKILL ${first.id}`);
      first.state = 'killed';
      const killedAt = Date.now();
      const second = await waitForLeader(running(), 15_000);
      const takeoverMs = Date.now() - killedAt;
      expect(takeoverMs).toBeLessThan(10_000);

      // 2. The new leader is paused for longer than its lease, then resumes.
      await eventually(() => jobsRun() >= 150, 'jobs run under the second leader', 60_000);
      const secondEpoch = (await leadership(second))?.epoch ?? 0;
      second.process.kill('SIGSTOP');
      mark(`SIGSTOP ${second.id}`);
      second.state = 'stopped';
      await new Promise((r) => setTimeout(r, 2 * LEASE_TTL_MS));
      const third = await waitForLeader(running(), 10_000);
      second.process.kill('SIGCONT');
      mark(`SIGCONT ${second.id}`);
      second.state = 'running';
      // It learns at once that it no longer leads, and says who does.
      await eventually(
        async () => (await leadership(second))?.leader === third.id,
        'the resumed replica names the new leader',
        5_000,
      );
      expect((await leadership(second))?.isLeader).toBe(false);
      // A new lease: the paused leader's epoch is stale, so the database refuses its writes.
      expect((await leadership(third))?.epoch).toBeGreaterThan(secondEpoch);

      const deliveries = await burst;
      expect(deliveries.jobs).toHaveLength(JOBS);
      const reader = (await openPostgresLedger({ url: TEST_DATABASE_URL, schema, max: 1 })).ledger;
      try {
        await expectConverged(
          { github, modal, ledger: reader },
          { maxRunners: MAX_RUNNERS, timeoutMs: 120_000 },
        );
        expect(
          await reader.listRunners(['warm', 'launching', 'booting', 'idle', 'busy', 'finishing']),
        ).toEqual([]);
      } finally {
        await reader.close();
      }

      // Every job ran, once.
      expect(jobsRun()).toBe(JOBS);
      expect([...github.jobs.values()].every((j) => j.status === 'completed')).toBe(true);
      // The cap held at every instant (the fake Modal counts live sandboxes as they change).
      expect(modal.maxLiveCount).toBeLessThanOrEqual(MAX_RUNNERS);
      // No runner was created twice, and sandboxes that ran no job are only those the two
      // takeovers cut off: at most every live runner at each of them.
      const names = modal.created.map((s) => s.name);
      expect(new Set(names).size).toBe(names.length);
      expect(modal.created.length - JOBS).toBeLessThanOrEqual(2 * MAX_RUNNERS);
      // No replica but the killed one went down (the resumed one included).
      for (const r of replicas.filter((x) => x.state !== 'killed')) {
        expect(r.process.exitCode).toBeNull();
      }
      // Every replica took webhooks from the load balancer.
      for (const r of replicas) expect(balancer.sent.get(r.url)).toBeGreaterThan(0);

      const text = (r: Replica) => r.output.join('');
      // The paused leader stopped at once when it resumed: its lease had run out by its clock.
      expect(text(second)).toMatch(/no longer leader: controller and reconciler stopped/);
      expect(text(third)).toMatch(/leader term started: reconciled, now planning/);
      for (const secret of [...github.mintedJitConfigs, ...github.issuedTokens, WEBHOOK_SECRET]) {
        for (const r of replicas) expect(text(r)).not.toContain(secret);
      }
    } catch (error) {
      // Which sandboxes were live when the cap was exceeded, and which replica exited early.
      const detail = [
        overCap(modal, MAX_RUNNERS, milestones),
        ...replicas
          .filter((r) => r.state !== 'killed' && r.process.exitCode !== null)
          .map((r) => `${r.id} exited (${r.process.exitCode}):\n${r.output.join('').slice(-4000)}`),
      ].filter(Boolean);
      if (detail.length > 0 && error instanceof Error) error.message += `\n${detail.join('\n')}`;
      throw error;
    } finally {
      for (const r of replicas) {
        if (r.process.exitCode !== null || r.process.signalCode !== null) continue;
        r.process.kill('SIGCONT');
        await killServerProcess(r, 'SIGTERM');
      }
      await balancer.close();
      runners.detach();
      await bridge.close();
      modal.close();
      await github.stop();
    }
  }, 400_000);
});
