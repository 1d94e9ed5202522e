import { afterEach, describe, expect, it } from '@jest/globals';
import { attachFakeRunners } from '../../sim/fake-runners.js';
import { eventually, startHarness, type Harness } from '../../sim/harness.js';
import { workflowJobPayload } from '../../sim/webhooks.js';

describe('MAX_RUNNERS', () => {
  let h: Harness;
  afterEach(async () => h?.stop());

  it('100 queued jobs with MAX_RUNNERS=10: never more than 10 live sandboxes, all 100 run', async () => {
    h = await startHarness({
      env: { MAX_RUNNERS: '10', MAX_CONCURRENT_LAUNCHES: '5', JIT_RATE_PER_SECOND: '100' },
    });
    const runners = attachFakeRunners(h.github, h.modal, { bootMs: 10, jobMs: 20 });
    const repos = ['acme/api', 'acme/web', 'acme/infra'];
    const deliveries = [];
    for (let id = 1; id <= 100; id++) {
      const repo = repos[id % repos.length]!;
      h.github.addJob({ id, runId: id * 10, repo, labels: ['self-hosted', 'modal'] });
      deliveries.push(h.github.deliver('workflow_job', workflowJobPayload({ id, repo })));
    }
    const sent = await Promise.all(deliveries);
    expect(sent.every((d) => d.statusCode === 200)).toBe(true);

    await eventually(
      () => [...h.github.jobs.values()].every((j) => j.status === 'completed'),
      () =>
        `completed ${[...h.github.jobs.values()].filter((j) => j.status === 'completed').length}/100`,
      60_000,
    );
    await eventually(() => h.modal.liveCount() === 0, 'all sandboxes gone');
    await h.server.controller.settled();

    expect(h.modal.maxLiveCount).toBeLessThanOrEqual(10);
    expect(h.modal.maxLiveCount).toBeGreaterThanOrEqual(5);
    expect(runners.stats.jobsRun).toBe(100);
    expect(h.modal.created).toHaveLength(100);
    expect(h.github.runners.size).toBe(0);
    expect(await h.server.ledger.listJobs(['queued', 'in_progress'])).toEqual([]);
    runners.detach();
  }, 90_000);

  it('a job cancelled while it waits for a slot is dropped', async () => {
    h = await startHarness({ env: { MAX_RUNNERS: '1' } });
    // No runner ever takes a job: the first occupies the only slot.
    h.github.addJob({ id: 1, runId: 10, repo: 'acme/api', labels: ['modal'] });
    await h.github.deliver('workflow_job', workflowJobPayload({ id: 1 }));
    await h.github.deliver('workflow_job', workflowJobPayload({ id: 2 }));
    await eventually(() => h.modal.created.length === 1, 'first launched');
    await h.server.controller.settled();
    expect(h.server.controller.waitReasons().get(2)).toBe('cap');

    await h.github.deliver(
      'workflow_job',
      workflowJobPayload({ id: 2, action: 'completed', conclusion: 'cancelled' }),
    );
    // The first job finishes on its runner; its slot frees, and nothing launches for job 2.
    const runnerName = h.modal.created[0]!.name!;
    await h.github.deliver(
      'workflow_job',
      workflowJobPayload({ id: 1, action: 'in_progress', runnerName }),
    );
    await h.github.deliver(
      'workflow_job',
      workflowJobPayload({ id: 1, action: 'completed', runnerName }),
    );
    await eventually(() => h.modal.liveCount() === 0, 'first sandbox terminated after its job');
    await h.server.controller.settled();
    expect(h.modal.created).toHaveLength(1);
    expect((await h.server.ledger.getJob(2))?.status).toBe('completed');
  });
});
