import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import { openSqliteLedger } from '../../src/ledger/sqlite-ledger.js';
import { serveFakeModal } from '../../sim/modal/bridge.js';
import { FakeModal } from '../../sim/modal/fake-modal.js';
import { FakeGitHub } from '../../sim/fake-github.js';
import { attachFakeRunners } from '../../sim/fake-runners.js';
import { eventually, freePort, WEBHOOK_SECRET } from '../../sim/harness.js';
import { expectConverged, queueBurst, seeded } from './scenario.js';
import {
  killServerProcess,
  simServerEnv,
  startServerProcess,
  type ServerChild,
} from './server-process.js';

/** A server process's environment, and GitHub pointed at it. */
function serverEnv(
  github: FakeGitHub,
  bridgeUrl: string,
  port: number,
  dataDir: string,
  extra: Record<string, string>,
): Record<string, string> {
  github.webhookUrl = `http://127.0.0.1:${port}/api/github/webhooks`;
  github.webhookSecret = WEBHOOK_SECRET;
  return simServerEnv(github, { port, bridgeUrl }, { DATA_DIR: dataDir, ...extra });
}

/** Everything a test started, stopped: the server first. */
async function stopAll(parts: {
  readonly child: ServerChild;
  readonly runners: { detach(): void };
  readonly bridge: { close(): Promise<void> };
  readonly modal: FakeModal;
  readonly github: FakeGitHub;
}): Promise<void> {
  await killServerProcess(parts.child, 'SIGTERM');
  parts.runners.detach();
  await parts.bridge.close();
  parts.modal.close();
  await parts.github.stop();
}

describe('crash and restart', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'mgr-crash-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('SIGKILL mid-burst, restart on the same DATA_DIR: every job completes, nothing is doubled or left', async () => {
    const github = await new FakeGitHub().start();
    const modal = new FakeModal();
    const bridge = await serveFakeModal(modal);
    const port = await freePort();
    const env = serverEnv(github, bridge.url, port, dataDir, {
      MAX_RUNNERS: '8',
      MAX_CONCURRENT_LAUNCHES: '4',
      REDELIVERY_LOOKBACK_HOURS: '1',
    });
    // Slow Modal creates, so that the kill lands with launches in flight.
    modal.latencyMs.SandboxCreateV2 = 150;
    const runners = attachFakeRunners(github, modal, { bootMs: 20, jobMs: 100 });
    let child = await startServerProcess(env);
    const outputs = [child.output];
    try {
      await queueBurst({ github }, { jobs: 60, random: seeded(7) });
      // Sandboxes that have their config, so that runners are mid-job when the server dies.
      await eventually(
        () => modal.created.filter((s) => s.stdin.eof).length >= 12,
        'some sandboxes configured before the kill',
      );
      await killServerProcess(child, 'SIGKILL');
      const createdAtKill = modal.created.length;
      // Jobs go on in Modal while the server is down; their webhooks fail and wait for redelivery.
      await new Promise((r) => setTimeout(r, 1500));
      const failedWhileDown = github.deliveries.filter((d) => d.statusCode !== 200).length;
      child = await startServerProcess(env);
      outputs.push(child.output);

      // The server subprocess owns the directory; this reader must see its writes.
      const reader = openSqliteLedger(dataDir, { mirror: false });
      try {
        await expectConverged(
          { github, modal, ledger: reader },
          { maxRunners: 8, timeoutMs: 80_000 },
        );
      } finally {
        await reader.close();
      }
      expect(createdAtKill).toBeLessThan(60);
      expect(runners.stats.jobsRun).toBe(60);
      const names = modal.created.map((s) => s.name);
      expect(new Set(names).size).toBe(names.length);
      // Deliveries failed while the server was down, and are redelivered after it came back.
      expect(failedWhileDown).toBeGreaterThan(0);
      const lost = () => github.deliveries.filter((d) => !d.redelivery && d.statusCode !== 200);
      const resent = () =>
        new Set(github.deliveries.filter((d) => d.redelivery).map((d) => d.guid));
      await eventually(
        () => lost().every((d) => resent().has(d.guid)),
        () => `not redelivered: ${lost().filter((d) => !resent().has(d.guid)).length}`,
      );
    } finally {
      await stopAll({ child, runners, bridge, modal, github });
    }
    const ledger = openSqliteLedger(dataDir);
    expect(await ledger.listJobs(['queued', 'in_progress', 'waiting'])).toEqual([]);
    expect(await ledger.listRunners(['launching', 'booting', 'idle', 'busy', 'finishing'])).toEqual(
      [],
    );
    await ledger.close();
    const text = outputs.flat().join('');
    // The kill landed with launches in flight; the restarted server finished or undid them.
    expect(text).toMatch(/interrupted launch (undone|: its runner had taken a job)/);
    for (const secret of [...github.mintedJitConfigs, ...github.issuedTokens, WEBHOOK_SECRET]) {
      expect(text).not.toContain(secret);
    }
  }, 120_000);

  it('SIGKILL between the sandbox create and the config delivery: the job starts within seconds of the restart', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mgr-midlaunch-'));
    const github = await new FakeGitHub().start();
    const modal = new FakeModal();
    const bridge = await serveFakeModal(modal);
    const port = await freePort();
    const env = serverEnv(github, bridge.url, port, dir, { REDELIVERY_LOOKBACK_HOURS: '0' });
    // The sandbox waits for its config as long as the real entrypoint does: a sandbox adopted
    // without one would hold the job for two minutes.
    const runners = attachFakeRunners(github, modal, {
      bootMs: 20,
      jobMs: 100,
      configWaitMs: 120_000,
    });
    // GitHub slow enough that the sandbox exists (and is recorded) long before the JIT config.
    github.latencyMs = 3_000;
    let child = await startServerProcess(env);
    try {
      await queueBurst({ github }, { jobs: 1, random: seeded(3) });
      await eventually(() => modal.created.length === 1, 'sandbox created', 15_000);
      const first = modal.created[0]!;
      // Recorded in the ledger before the kill (the create's answer is written at once).
      await new Promise((r) => setTimeout(r, 300));
      expect(first.stdin.text).toBe('');
      await killServerProcess(child, 'SIGKILL');
      github.latencyMs = 0;

      child = await startServerProcess(env);
      const restartedAt = Date.now();
      await eventually(
        () => github.jobs.get(1)?.status !== 'queued',
        'the job taken by a runner',
        10_000,
      );
      expect(Date.now() - restartedAt).toBeLessThan(5_000);
      // The half-launched sandbox was terminated, not left waiting for a config.
      await eventually(
        () => modal.sandbox(first.sandboxId)?.result !== undefined,
        'first sandbox ended',
      );
      expect(first.stdin.text).toBe('');
      await expectConverged({ github, modal }, { maxRunners: 50, timeoutMs: 20_000 });
      expect(runners.stats.jobsRun).toBe(1);
      expect(child.output.join('')).toContain('interrupted launch undone');
    } finally {
      await stopAll({ child, runners, bridge, modal, github });
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
