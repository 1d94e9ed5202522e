import { afterEach, describe, expect, it } from '@jest/globals';
import { FakeGitHub } from '../../sim/fake-github.js';
import { attachFakeRunners } from '../../sim/fake-runners.js';
import { FakeModal } from '../../sim/modal/fake-modal.js';
import { eventually, startHarness, WEBHOOK_SECRET, type Harness } from '../../sim/harness.js';
import { sendWebhook, workflowJobPayload } from '../../sim/webhooks.js';
import { decodeSandboxTags } from '../../src/domain/sandbox-tags.js';
import { JOB_RECORD_PATH } from '../../src/modal/runner-job-hook.js';

const CLASSES = JSON.stringify({ modal: { cpu: 2, memoryMiB: 8192, warmPool: 1 } });

describe("the runners' job hooks name the job a sandbox ran in its tags", () => {
  let h: Harness | undefined;
  let github: FakeGitHub | undefined;
  let modal: FakeModal | undefined;
  afterEach(async () => {
    await h?.stop();
    modal?.close();
    await github?.stop();
    h = undefined;
  });

  it('a warm sandbox whose job webhooks were lost is tagged with the job its hook recorded', async () => {
    github = await new FakeGitHub().start();
    modal = new FakeModal();
    // The runners play their part from the first (warm) sandbox on.
    const runners = attachFakeRunners(github, modal, {
      bootMs: 5,
      jobMs: 60_000,
      dropJobWebhooks: true,
    });
    h = await startHarness({
      github,
      sharedModal: modal,
      env: { RUNNER_CLASSES: CLASSES },
      timings: { jobRecords: { intervalMs: 100, rereadMs: 50, maxReads: 10 } },
    });
    try {
      await eventually(() => h!.modal.created.length === 1, 'one warm sandbox');
      const warm = h.modal.created[0]!;
      expect(warm.tags).toMatchObject({ warm: 'true' });
      expect(warm.tags['job-id']).toBeUndefined();

      github.addJob({ id: 41, runId: 410, repo: 'acme/api', labels: ['self-hosted', 'modal'] });
      await sendWebhook(h.webhookUrl, WEBHOOK_SECRET, workflowJobPayload({ id: 41 }));
      await eventually(
        () => h!.modal.files.read(warm.sandboxId, JOB_RECORD_PATH) !== undefined,
        'the runner took a job and its hook wrote the record',
      );
      const job = [...h.github.jobs.values()].find((j) => j.status === 'in_progress')!;
      // The webhooks that would have told the app were lost.
      expect(
        h.github.deliveries.filter((d) => d.action === 'in_progress').map((d) => d.status),
      ).toEqual(['failed to connect']);

      await eventually(
        () => warm.tags['ran-job'] !== undefined,
        'the sandbox tagged with the job it ran',
      );
      expect(warm.tags).toMatchObject({
        'ran-repo': job.repo,
        'ran-run-id': String(job.runId),
        'ran-run-attempt': '1',
        'ran-job': `job-${job.id}`,
        // The hook cannot know the numeric ID: GitHub's list of the run's jobs names the runner.
        'ran-job-id': String(job.id),
        // Its other tags are kept: Modal replaces the whole set.
        warm: 'true',
        'managed-by': 'app-12345.github-runners',
        'runner-class': 'modal',
      });
      expect(decodeSandboxTags(warm.tags)?.ranJob).toEqual({
        repo: job.repo,
        runId: job.runId,
        runAttempt: 1,
        job: `job-${job.id}`,
        jobId: job.id,
      });
      expect(
        github.requestsTo('GET', /^\/repos\/acme\/api\/actions\/runs\/410\/attempts\/1\/jobs$/),
      ).toHaveLength(1);
      // Read with `cat` through Sandbox.exec; the tags written with Sandbox.setTags (V2).
      expect(h.modal.files.execs.filter((e) => e.sandboxId === warm.sandboxId)[0]).toEqual({
        sandboxId: warm.sandboxId,
        command: ['cat', JOB_RECORD_PATH],
      });
      expect(h.modal.requests('SandboxTagsSetV2')).toHaveLength(1);
      // A tagged sandbox is not read again.
      const reads = h.modal.files.execs.length;
      await new Promise((r) => setTimeout(r, 400));
      expect(
        h.modal.files.execs.slice(reads).filter((e) => e.sandboxId === warm.sandboxId),
      ).toEqual([]);
      expect(h.logs.text).toContain('tagged a sandbox with the job its runner ran');
    } finally {
      runners.detach();
    }
  });
});
