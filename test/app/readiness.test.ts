import { afterEach, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Status } from 'nice-grpc-common';
import { statusCommand } from '../../src/cli/status-command.js';
import { openSqliteLedger } from '../../src/ledger/sqlite-ledger.js';
import type { StatusSnapshot } from '../../src/status/status-snapshot.js';
import { startHarness, testPrivateKey, WEBHOOK_SECRET, type Harness } from '../../sim/harness.js';

const STATUS_TOKEN = 'status-token-for-readiness-0123';

interface Readiness {
  status: string;
  checks: { ledger: { status: string; error?: string }; loops: Record<string, { status: string }> };
}

async function readyz(h: Harness): Promise<{ status: number; body: Readiness }> {
  const res = await fetch(`${h.server.url}/readyz`);
  return { status: res.status, body: (await res.json()) as Readiness };
}

describe('/readyz answers from our own state', () => {
  let h: Harness | undefined;
  let dir: string | undefined;
  afterEach(async () => {
    await h?.stop();
    h = undefined;
    if (dir) rmSync(dir, { recursive: true, force: true });
    dir = undefined;
  });

  it('is ready when the ledger answers and the loops run, without calling GitHub or Modal', async () => {
    h = await startHarness({ timings: { reconcileIntervalMs: 3_600_000 } });
    // The reconciler's first pass makes its own calls; let it finish, then count.
    await h.server.reconciler.tick();
    const calls = () =>
      h!.github.requestsTo('GET', /^\/app$/).length + h!.modal.requests('AppGetOrCreate').length;
    const before = calls();
    const { status, body } = await readyz(h);
    await readyz(h);
    expect(status).toBe(200);
    expect(body).toEqual({
      status: 'ready',
      checks: {
        ledger: { status: 'ok' },
        loops: {
          controller: { status: 'ok' },
          'exit-watch': { status: 'ok' },
          reconciler: { status: 'ok' },
          'runner-group': { status: 'ok' },
          'job-records': { status: 'ok' },
          'status-history': { status: 'ok' },
          'runner-version': { status: 'ok' },
        },
      },
      // Which replica answered and which leads: one server leads by itself.
      replica: {
        replicaId: h.server.leadership.replicaId,
        leader: h.server.leadership.replicaId,
        isLeader: true,
        epoch: 0,
      },
    });
    expect(h.server.leadership.replicaId).toMatch(/^.+-\d+$/);
    expect(calls()).toBe(before);
  });

  it('stays ready through a GitHub and Modal outage, which /status, the CLI and /metrics show', async () => {
    h = await startHarness({
      env: { STATUS_TOKEN },
      // Reconcile often, so that the loop meets the outage during the test.
      timings: { reconcileIntervalMs: 100 },
    });
    h.github.faultHook = () => ({ status: 503, body: { message: 'Service Unavailable' } });
    h.modal.failNext('AppGetOrCreate', Status.UNAVAILABLE, 1_000);
    // Let the reconciler meet the outage a few times.
    await new Promise((r) => setTimeout(r, 500));

    const ready = await readyz(h);
    expect(ready.status).toBe(200);
    expect(ready.body.status).toBe('ready');

    const res = await fetch(`${h.server.url}/status.json`, {
      headers: { authorization: `Bearer ${STATUS_TOKEN}` },
    });
    const snapshot = (await res.json()) as StatusSnapshot;
    expect(snapshot.upstreams?.map((u) => [u.name, u.status])).toEqual([
      ['github', 'failing'],
      ['modal', 'failing'],
    ]);
    expect(snapshot.upstreams?.[0]?.error).toMatch(/503/);
    expect(JSON.stringify(snapshot)).not.toContain(WEBHOOK_SECRET);
    expect(JSON.stringify(snapshot)).not.toContain(testPrivateKey().split('\n')[1]!);

    const html = await (
      await fetch(`${h.server.url}/status`, {
        headers: { authorization: `Bearer ${STATUS_TOKEN}` },
      })
    ).text();
    expect(html).toMatch(/<li class="failing">github: failing, [^<]*503/);

    const out: string[] = [];
    const code = await statusCommand(['--url', h.server.url], {
      env: { STATUS_TOKEN },
      fetch: globalThis.fetch,
      out: (t) => out.push(t),
      err: (t) => out.push(t),
    });
    expect(code).toBe(0);
    expect(out.join('')).toMatch(/^ {2}github: failing, .*503.*\(checked \d+s ago\)$/m);
    expect(out.join('')).toMatch(/^ {2}modal: failing, /m);

    const probesBefore = h.github.requestsTo('GET', /^\/app$/).length;
    const metrics = await (await fetch(`${h.server.url}/metrics`)).text();
    expect(metrics).toMatch(/^modal_runner_upstream_up\{upstream="github"\} 0$/m);
    expect(metrics).toMatch(/^modal_runner_upstream_up\{upstream="modal"\} 0$/m);
    // The probes are cached: the page, the CLI and the scrape above made one of each at most.
    expect(h.github.requestsTo('GET', /^\/app$/).length).toBe(probesBefore);
  });

  it('shows GitHub and Modal up in /metrics when they answer', async () => {
    h = await startHarness();
    const metrics = await (await fetch(`${h.server.url}/metrics`)).text();
    expect(metrics).toMatch(/^modal_runner_upstream_up\{upstream="github"\} 1$/m);
    expect(metrics).toMatch(/^modal_runner_upstream_up\{upstream="modal"\} 1$/m);
  });

  it('is not ready when the ledger cannot answer', async () => {
    dir = mkdtempSync(join(tmpdir(), 'readyz-'));
    const ledger = openSqliteLedger(dir);
    h = await startHarness({ ledger, timings: { reconcileIntervalMs: 3_600_000 } });
    expect((await readyz(h)).status).toBe(200);
    await ledger.close();
    const { status, body } = await readyz(h);
    expect(status).toBe(503);
    expect(body.status).toBe('not ready');
    expect(body.checks.ledger.status).toBe('failing');
    expect(body.checks.ledger.error).toMatch(/not open/i);
    expect(body.checks.loops.reconciler).toEqual({ status: 'ok' });
  });
});
