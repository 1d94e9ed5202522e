import { afterEach, describe, expect, it } from '@jest/globals';
import { Status } from 'nice-grpc-common';
import { attachFakeRunners } from '../../sim/fake-runners.js';
import { eventually, startHarness, type Harness } from '../../sim/harness.js';
import { workflowJobPayload } from '../../sim/webhooks.js';
import { expectConverged, FAST, queueBurst, seeded } from './scenario.js';

describe('simulated scenarios: every job completes, nothing is left behind, caps hold', () => {
  let h: Harness;
  let detach: (() => void) | undefined;
  afterEach(async () => {
    detach?.();
    await h?.stop();
  });

  const start = async (maxRunners: number, env: Record<string, string> = {}) => {
    h = await startHarness({
      env: {
        MAX_RUNNERS: String(maxRunners),
        MAX_CONCURRENT_LAUNCHES: '4',
        JIT_RATE_PER_SECOND: '50',
        ...env,
      },
      timings: FAST,
    });
  };

  it('30% of queued deliveries dropped: redelivery from the deliveries API finds them', async () => {
    await start(8);
    const runners = attachFakeRunners(h.github, h.modal, { bootMs: 10, jobMs: 20 });
    detach = runners.detach;
    const { dropped } = await queueBurst(h, { jobs: 60, dropRate: 0.3, random: seeded(1) });
    expect(dropped).toBeGreaterThan(10);
    // A runner takes the oldest queued job it fits, so dropped jobs older than a delivered one
    // are served anyway; the last five, all dropped, can only be found through redelivery.
    const tail = await queueBurst(h, { jobs: 5, dropRate: 1, random: seeded(1), firstId: 61 });
    expect(tail.dropped).toBe(5);
    await expectConverged(h, { maxRunners: 8 });
    expect(runners.stats.jobsRun).toBe(65);
    // Every lost delivery is sent again (even one whose job a runner of another job served).
    const lost = () => h.github.deliveries.filter((d) => !d.redelivery && d.statusCode !== 200);
    const resent = () =>
      new Set(h.github.deliveries.filter((d) => d.redelivery).map((d) => d.guid));
    await eventually(
      () => lost().every((d) => resent().has(d.guid)),
      () => `not redelivered: ${lost().filter((d) => !resent().has(d.guid)).length}`,
    );
    expect(lost().filter((d) => d.statusCode === 502)).toHaveLength(dropped + 5);
  }, 90_000);

  it('GitHub 502s and secondary rate limits on JIT and deletes', async () => {
    await start(6);
    const random = seeded(2);
    let limited = 0;
    h.github.faultHook = (req) => {
      if (req.method === 'GET' || req.path.includes('access_tokens')) return undefined;
      const roll = random();
      if (roll < 0.15) return { status: 502, body: { message: 'Server Error' } };
      if (roll > 0.95) {
        limited += 1;
        return {
          status: 403,
          headers: { 'retry-after': '1' },
          body: {
            message:
              'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.',
          },
        };
      }
      return undefined;
    };
    const runners = attachFakeRunners(h.github, h.modal, { bootMs: 10, jobMs: 20 });
    detach = runners.detach;
    await queueBurst(h, { jobs: 40, random: seeded(3) });
    await expectConverged(h, { maxRunners: 6, timeoutMs: 80_000 });
    expect(runners.stats.jobsRun).toBe(40);
    expect(limited).toBeGreaterThan(0);
    // Every runner that ran got its own config; none was registered twice by a retry.
    expect(new Set(runners.stats.jitConfigs).size).toBe(runners.stats.jitConfigs.length);
  }, 100_000);

  it('Modal RESOURCE_EXHAUSTED and sandboxes that die before registering', async () => {
    await start(6);
    h.modal.failNext('SandboxCreateV2', Status.RESOURCE_EXHAUSTED, 8);
    const random = seeded(4);
    const runners = attachFakeRunners(h.github, h.modal, {
      bootMs: 10,
      jobMs: 20,
      dieBeforeRegistering: () => random() < 0.25,
    });
    detach = runners.detach;
    await queueBurst(h, { jobs: 40, random: seeded(5) });
    await expectConverged(h, { maxRunners: 6 });
    expect(runners.stats.jobsRun).toBe(40);
    expect(runners.stats.diedEarly).toBeGreaterThan(3);
  }, 90_000);

  it('jobs cancelled while they wait for a slot, and while their runner boots', async () => {
    await start(3);
    const runners = attachFakeRunners(h.github, h.modal, { bootMs: 200, jobMs: 50 });
    detach = runners.detach;
    const { jobs } = await queueBurst(h, { jobs: 30, random: seeded(6) });
    // Cancel the last 10 (waiting for a slot) and 2 of the first 3 (their runners are booting).
    const cancelled = [...jobs.slice(20), jobs[0]!, jobs[1]!].filter((j) => j.status === 'queued');
    // Cancel them all at GitHub at once, before any await lets a runner take one of them.
    for (const job of cancelled) h.github.cancelJob(job);
    for (const job of cancelled) {
      await h.github.deliver(
        'workflow_job',
        workflowJobPayload({
          action: 'completed',
          id: job.id,
          runId: job.runId,
          repo: job.repo,
          conclusion: 'cancelled',
        }),
      );
    }
    expect(cancelled.length).toBeGreaterThanOrEqual(10);
    await expectConverged(h, { maxRunners: 3 });
    expect(runners.stats.jobsRun).toBe(30 - cancelled.length);
  }, 90_000);
});
