import { afterEach, describe, expect, it } from '@jest/globals';
import { RunnerGroupPolicyError } from '../../src/reconciler/runner-group-guard.js';
import type { StatusSnapshot } from '../../src/status/status-snapshot.js';
import { FakeGitHub } from '../../sim/fake-github.js';
import { eventually, startHarness, WEBHOOK_SECRET, type Harness } from '../../sim/harness.js';
import { sendWebhook, workflowJobPayload } from '../../sim/webhooks.js';

const TOKEN = 'status-token-0123456789abcdef';

/**
 * The runner group is what GitHub enforces: a JIT runner takes any job its labels fit in any
 * repository its group admits. These tests hold the server to it at start and while it runs.
 */
describe('the runner group enforces the repository policy', () => {
  let h: Harness | undefined;
  let github: FakeGitHub | undefined;
  afterEach(async () => {
    await h?.stop();
    h = undefined;
    await github?.stop();
    github = undefined;
  });

  const group = (fake: FakeGitHub) => fake.runnerGroups[0]!;

  it('refuses to start while the group admits public repositories and ALLOW_PUBLIC_REPOS=false', async () => {
    github = await new FakeGitHub().start();
    Object.assign(group(github), { visibility: 'all', allows_public_repositories: true });
    const started = startHarness({ github });
    await expect(started).rejects.toBeInstanceOf(RunnerGroupPolicyError);
    const error = (await started.catch((e: unknown) => e)) as Error;
    expect(error.message).toContain('runner group "Default" (RUNNER_GROUP_ID=1) of acme');
    expect(error.message).toContain('admits public repositories while ALLOW_PUBLIC_REPOS=false');
    expect(error.message).toMatch(/Allow public repositories/);
    // It never got to launch anything.
    expect(github.requestsTo('POST', /generate-jitconfig/)).toEqual([]);
  });

  it('starts with ALLOW_PUBLIC_REPOS=true, and starts while GitHub cannot show the group (re-checked later)', async () => {
    github = await new FakeGitHub().start();
    Object.assign(group(github), { visibility: 'all', allows_public_repositories: true });
    h = await startHarness({ github, env: { ALLOW_PUBLIC_REPOS: 'true' } });
    await h.stop();
    h = undefined;
    github.runnerGroups = [];
    h = await startHarness({ github, env: { STATUS_TOKEN: TOKEN } });
    const snapshot = await status(h);
    expect(snapshot.warnings).toEqual([
      expect.stringMatching(/^the runner group of acme could not be checked: /),
    ]);
  });

  it('ALLOWED_REPOS narrower than the group: starts, logs an error, the status page warns until fixed', async () => {
    github = await new FakeGitHub().start();
    h = await startHarness({
      github,
      env: { ALLOWED_REPOS: 'acme/api', STATUS_TOKEN: TOKEN, RECONCILE_INTERVAL_SECONDS: '5' },
      timings: { reconcileIntervalMs: 200 },
    });
    const errors = h.logs
      .parsed()
      .filter((l) => l.problem === 'admits-repositories-outside-allowlist');
    expect(errors[0]).toMatchObject({ level: 50, org: 'acme' });
    expect(String(errors[0]?.msg)).toContain('acme/web');
    const warned = await status(h);
    expect(warned.warnings).toHaveLength(1);
    expect(warned.warnings[0]).toContain('not only ALLOWED_REPOS');
    const page = await (
      await fetch(`${h.server.url}/status`, { headers: { authorization: `Bearer ${TOKEN}` } })
    ).text();
    expect(page).toContain('class="warning"');

    // An owner restricts the group to the allowed repository: the next check clears the warning.
    Object.assign(group(h.github), { visibility: 'selected', repositories: ['acme/api'] });
    await eventually(async () => (await status(h!)).warnings.length === 0, 'warning cleared');
  });

  it('RUNNER_GROUP_SYNC=true makes the group admit exactly the allowed private repositories', async () => {
    github = await new FakeGitHub().start();
    Object.assign(group(github), { visibility: 'all', allows_public_repositories: true });
    h = await startHarness({
      github,
      env: { ALLOWED_REPOS: 'acme/*', RUNNER_GROUP_SYNC: 'true', STATUS_TOKEN: TOKEN },
    });
    // acme/docs is public and ALLOW_PUBLIC_REPOS is false: it is left out.
    expect(group(github)).toMatchObject({
      visibility: 'selected',
      allows_public_repositories: false,
    });
    expect([...group(github).repositories].sort()).toEqual(['acme/api', 'acme/web']);
    expect(github.requestsTo('PATCH', /runner-groups\/1$/)).toHaveLength(1);
    expect(github.requestsTo('PUT', /runner-groups\/1\/repositories$/)).toHaveLength(1);
    expect(h.logs.text).toContain('RUNNER_GROUP_SYNC');
    expect((await status(h)).warnings).toEqual([]);
  });
});

describe('a job we did not launch for that takes one of our runners', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.stop();
    h = undefined;
  });

  it('is recorded from its in_progress event, counted, shown, and its runner is never retired while busy', async () => {
    h = await startHarness({
      env: { STATUS_TOKEN: TOKEN },
      timings: { idleGraceMs: 50 },
    });
    await sendWebhook(h.webhookUrl, WEBHOOK_SECRET, workflowJobPayload({ id: 1 }));
    await eventually(() => h!.modal.created.length === 1, 'runner launched for job 1');
    const ours = String(h.modal.created[0]!.name);
    await eventually(
      async () => (await h!.server.ledger.getRunner(ours))?.state === 'booting',
      'runner booting',
    );
    // A `runs-on: self-hosted` job (ignored when queued) takes it.
    const taken = await sendWebhook(
      h.webhookUrl,
      WEBHOOK_SECRET,
      workflowJobPayload({
        id: 99,
        action: 'in_progress',
        labels: ['self-hosted'],
        runnerName: ours,
        repo: 'acme/web',
      }),
    );
    expect(taken.status).toBe(200);
    const runner = await h.server.ledger.getRunner(ours);
    expect(runner).toMatchObject({ state: 'busy', tookJobId: 99 });
    expect(await h.server.ledger.getJob(99)).toMatchObject({
      foreign: true,
      status: 'in_progress',
      runnerClass: 'modal',
    });
    // Job 1 lost its runner: a new one is launched; the busy one is never retired.
    await eventually(() => h!.modal.created.length === 2, 'a new runner for job 1');
    await new Promise((r) => setTimeout(r, 300));
    await h.server.controller.settled();
    expect((await h.server.ledger.getRunner(ours))?.state).toBe('busy');
    expect(h.github.requestsTo('DELETE', /runners\/\d+$/)).toEqual([]);

    const metrics = await (await fetch(`${h.server.url}/metrics`)).text();
    expect(metrics).toMatch(/modal_runner_foreign_jobs_total\{class="modal"\} 1/);
    const snapshot = await status(h);
    expect(snapshot.summary.foreignJobs).toBe(1);
    expect(snapshot.runners.find((r) => r.name === ours)).toMatchObject({
      foreign: true,
      jobId: 99,
    });
    const page = await (
      await fetch(`${h.server.url}/status`, { headers: { authorization: `Bearer ${TOKEN}` } })
    ).text();
    expect(page).toContain('taken by a job we did not launch for');

    // Its completion finishes the runner like any other.
    await sendWebhook(
      h.webhookUrl,
      WEBHOOK_SECRET,
      workflowJobPayload({
        id: 99,
        action: 'completed',
        labels: ['self-hosted'],
        runnerName: ours,
        repo: 'acme/web',
      }),
    );
    await eventually(
      async () => (await h!.server.ledger.getRunner(ours))?.state === 'done',
      'runner done after the foreign job',
    );
  });

  it('a job naming a runner that is not ours is ignored as before', async () => {
    h = await startHarness();
    const res = await sendWebhook(
      h.webhookUrl,
      WEBHOOK_SECRET,
      workflowJobPayload({
        id: 7,
        action: 'in_progress',
        labels: ['self-hosted'],
        runnerName: 'someone-else',
      }),
    );
    expect(res.status).toBe(200);
    expect(await h.server.ledger.getJob(7)).toBeUndefined();
  });
});

async function status(h: Harness): Promise<StatusSnapshot> {
  const response = await fetch(`${h.server.url}/status.json`, {
    headers: { authorization: `Bearer ${TOKEN}` },
  });
  return (await response.json()) as StatusSnapshot;
}
