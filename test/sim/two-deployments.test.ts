import { afterEach, describe, expect, it } from '@jest/globals';
import { deploymentTag, isRunnerNameOf } from '../../src/domain/runner-name.js';
import { FakeGitHub } from '../../sim/fake-github.js';
import { attachFakeRunners } from '../../sim/fake-runners.js';
import { FakeModal } from '../../sim/modal/fake-modal.js';
import { eventually, startHarness, WEBHOOK_SECRET, type Harness } from '../../sim/harness.js';
import { workflowJobPayload } from '../../sim/webhooks.js';
import { FAST } from './scenario.js';

/**
 * Staging and production: two Apps on one organization and one Modal environment (and one Modal
 * App name). Each sees every webhook of the organization; neither may adopt, terminate or
 * deregister what the other made, even while the other's runners are mid-job.
 */
describe('two deployments on one organization and one Modal environment', () => {
  const servers: Harness[] = [];
  let github: FakeGitHub;
  let modal: FakeModal;
  let detach: (() => void) | undefined;
  afterEach(async () => {
    detach?.();
    for (const s of servers.splice(0)) await s.stop();
    modal?.close();
    await github?.stop();
  });

  it('each runs its own jobs and never touches the other’s sandboxes or registrations', async () => {
    github = await new FakeGitHub().start();
    modal = new FakeModal();
    const start = (appId: string, runnerClass: string) =>
      startHarness({
        github,
        sharedModal: modal,
        env: {
          APP_ID: appId,
          RUNNER_CLASSES: JSON.stringify({ [runnerClass]: { cpu: 1, memoryMiB: 1024 } }),
          MAX_RUNNERS: '6',
          JIT_RATE_PER_SECOND: '50',
        },
        // Short graces, so that a deployment that mistook the other's things for its own
        // strays would act on them within the test.
        timings: { ...FAST, sandboxListLagMs: 100, orphanRegistrationMs: 100 },
      });
    const staging = await start('111', 'modal-staging');
    servers.push(staging);
    const production = await start('222', 'modal-production');
    servers.push(production);
    github.webhookUrl = staging.webhookUrl;
    github.otherApps = [{ webhookUrl: production.webhookUrl, webhookSecret: WEBHOOK_SECRET }];
    // Jobs long enough that several reconciliations of each server see the other's runners busy.
    const runners = attachFakeRunners(github, modal, { bootMs: 10, jobMs: 1_500 });
    detach = runners.detach;

    for (let i = 1; i <= 12; i++) {
      const runnerClass = i % 2 === 0 ? 'modal-production' : 'modal-staging';
      const labels = ['self-hosted', runnerClass];
      github.addJob({ id: i, runId: i * 10, repo: 'acme/api', labels });
      await github.deliver('workflow_job', workflowJobPayload({ id: i, runId: i * 10, labels }));
    }
    await eventually(
      () => runners.stats.jobsRun === 12,
      () => `jobs run: ${runners.stats.jobsRun}`,
      60_000,
    );
    await eventually(() => modal.liveCount() === 0, 'sandboxes all ended', 20_000);

    const tags = {
      staging: deploymentTag('app-111.github-runners'),
      production: deploymentTag('app-222.github-runners'),
    };
    expect(tags.staging).not.toBe(tags.production);
    for (const [server, tag, runnerClass] of [
      [staging, tags.staging, 'modal-staging'],
      [production, tags.production, 'modal-production'],
    ] as const) {
      const mine = await server.server.ledger.listRunners(['done', 'failed']);
      expect(mine.length).toBeGreaterThanOrEqual(6);
      for (const r of mine) {
        expect(r.runnerClass).toBe(runnerClass);
        expect(isRunnerNameOf(r.name, tag)).toBe(true);
        expect(r.state).toBe('done');
      }
      // It never mistook the other's sandboxes or registrations for strays of its own.
      for (const message of [
        'adopted a sandbox the ledger did not know',
        'stray sandbox terminated',
        'orphaned registration deleted',
        'unknown sandbox with incomplete tags terminated',
      ]) {
        expect(server.logs.parsed().filter((l) => l.msg === message)).toEqual([]);
      }
    }
    // Every job ran on a runner of the deployment whose class it asked for.
    for (const job of github.jobs.values()) {
      const tag = job.labels.includes('modal-production') ? tags.production : tags.staging;
      expect(isRunnerNameOf(job.runnerName ?? '', tag)).toBe(true);
    }
    // Each sandbox carries its deployment in `managed-by`.
    const managedBy = new Set(modal.created.map((s) => s.tags['managed-by']));
    expect(managedBy).toEqual(new Set(['app-111.github-runners', 'app-222.github-runners']));
  }, 90_000);
});
