import { afterEach, describe, expect, it } from '@jest/globals';
import { eventually, startHarness, WEBHOOK_SECRET, type Harness } from '../../sim/harness.js';
import { FakeGitHub } from '../../sim/fake-github.js';
import { FakeModal } from '../../sim/modal/fake-modal.js';
import { sendWebhook, workflowJobPayload } from '../../sim/webhooks.js';
import type { StatusSnapshot } from '../../src/status/status-snapshot.js';

const TOKEN = 'status-token-for-runner-version-tests';
const IMAGE = 'ghcr.io/actions/actions-runner';
const DOWNLOADS = /^\/orgs\/acme\/actions\/runners\/downloads$/;

async function status(h: Harness): Promise<StatusSnapshot> {
  const response = await fetch(`${h.server.url}/status.json`, {
    headers: { authorization: `Bearer ${TOKEN}` },
  });
  return (await response.json()) as StatusSnapshot;
}

/** Sends a queued job and answers the image its sandbox was created from. */
async function launchedImage(h: Harness, jobId: number): Promise<string | undefined> {
  await sendWebhook(h.webhookUrl, WEBHOOK_SECRET, workflowJobPayload({ id: jobId }));
  await eventually(
    () => h.modal.created.some((s) => s.tags['job-id'] === String(jobId)),
    `a sandbox for job ${jobId}`,
  );
  return h.modal.created.find((s) => s.tags['job-id'] === String(jobId))?.imageTag;
}

describe('RUNNER_VERSION=latest follows the newest runner once its image has built', () => {
  let h: Harness | undefined;
  let github: FakeGitHub | undefined;
  let modal: FakeModal | undefined;
  afterEach(async () => {
    await h?.stop();
    modal?.close();
    await github?.stop();
    h = undefined;
    modal = undefined;
    github = undefined;
  });

  it('launches keep the fallback while the newest image fails, then move, then follow a new release', async () => {
    github = await new FakeGitHub().start();
    github.latestRunnerVersion = '2.335.0';
    modal = new FakeModal();
    modal.failImageBuild(`${IMAGE}:2.335.0`, 'manifest not yet pushed');
    h = await startHarness({
      github,
      sharedModal: modal,
      env: { STATUS_TOKEN: TOKEN },
      timings: { runnerVersion: { refreshMs: 400, retryMs: 100 } },
    });
    expect(h.config.runners.version).toBe('latest');
    expect(h.logs.text).toContain('RUNNER_VERSION=latest: launches use 2.334.0, the fallback');
    await eventually(
      () => h!.logs.text.includes('the runner image of 2.335.0 failed to build'),
      'the newest image failed to build',
    );

    // Until the newest image has built, launches use the fallback.
    expect(await launchedImage(h, 801)).toBe(`${IMAGE}:2.334.0`);
    expect((await status(h)).runnerVersion).toContain(
      'latest → 2.334.0 (the fallback: the newest is 2.335.0, its image failed to build',
    );

    modal.allowImageBuild(`${IMAGE}:2.335.0`);
    await eventually(
      async () => (await status(h!)).runnerVersion === 'latest → 2.335.0',
      'the newest image built',
    );
    expect(await launchedImage(h, 802)).toBe(`${IMAGE}:2.335.0`);

    // A release later: the daily refresh (400 ms here) picks it up, builds it, moves to it.
    github.latestRunnerVersion = '2.336.0';
    await eventually(
      async () => (await status(h!)).runnerVersion === 'latest → 2.336.0',
      'the next release built',
    );
    expect(await launchedImage(h, 803)).toBe(`${IMAGE}:2.336.0`);
    expect(github.requestsTo('GET', DOWNLOADS).length).toBeGreaterThanOrEqual(2);
    const page = await fetch(`${h.server.url}/status`, {
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    expect(await page.text()).toContain(
      '<p class="meta" id="runner-version">Runner version: latest → 2.336.0</p>',
    );
  });

  it('a pinned RUNNER_VERSION never asks GitHub and never changes', async () => {
    github = await new FakeGitHub().start();
    github.latestRunnerVersion = '2.335.0';
    h = await startHarness({
      github,
      env: { RUNNER_VERSION: '2.334.0', STATUS_TOKEN: TOKEN },
      timings: { runnerVersion: { refreshMs: 50, retryMs: 50 } },
    });
    expect(await launchedImage(h, 811)).toBe(`${IMAGE}:2.334.0`);
    await new Promise((r) => setTimeout(r, 300));
    expect(await launchedImage(h, 812)).toBe(`${IMAGE}:2.334.0`);
    expect(github.requestsTo('GET', DOWNLOADS)).toHaveLength(0);
    expect((await status(h)).runnerVersion).toBe('2.334.0 (pinned by RUNNER_VERSION)');
    expect(h.logs.text).not.toContain('RUNNER_VERSION=latest');
  });
});
