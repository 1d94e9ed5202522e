import { afterEach, describe, expect, it } from '@jest/globals';
import { Status } from 'nice-grpc-common';
import { attachFakeRunners } from '../../sim/fake-runners.js';
import { startHarness, type Harness } from '../../sim/harness.js';
import { expectConverged, FAST, queueBurst, seeded } from './scenario.js';

/**
 * An upstream down for "ten minutes": the timings are scaled down about sixty times (a second
 * here stands for a minute: the breaker's first pause 100 ms for 5 s, its longest 5 s for 5 min),
 * so the outage lasts ten seconds. Without circuit breakers every launch would boot and kill a
 * paid sandboxes during a GitHub outage, or mint and delete a registration during a Modal one.
 */
const OUTAGE_MS = 10_000;
const CONCURRENT = 4;

describe('outages do not multiply cost or calls', () => {
  let h: Harness;
  let detach: (() => void) | undefined;
  afterEach(async () => {
    detach?.();
    await h?.stop();
  });

  const start = async () => {
    h = await startHarness({
      env: {
        MAX_RUNNERS: '10',
        MAX_CONCURRENT_LAUNCHES: String(CONCURRENT),
        JIT_RATE_PER_SECOND: '50',
      },
      timings: {
        ...FAST,
        circuitBreaker: { threshold: 3, baseOpenMs: 100, maxOpenMs: 5_000 },
      },
    });
    detach = attachFakeRunners(h.github, h.modal, { bootMs: 10, jobMs: 20 }).detach;
  };

  it('GitHub failing every call: at most one wave of sandboxes, then none until it answers', async () => {
    await start();
    let failing = true;
    h.github.faultHook = () =>
      failing ? { status: 502, body: { message: 'Server Error' } } : undefined;
    await queueBurst(h, { jobs: 20, random: seeded(11) });
    await new Promise((r) => setTimeout(r, OUTAGE_MS));
    const createdDuringOutage = h.modal.created.length;
    const mintsTried = h.github.requestsTo('POST', /generate-jitconfig$/).length;
    failing = false;
    // The launches already in flight when GitHub went down are the only sandboxes it cost.
    expect(createdDuringOutage).toBeLessThanOrEqual(CONCURRENT);
    // The first wave's retries (6 tries each), then single-try probes at doubling intervals
    // (100 ms … 5 s: about a dozen in ten seconds), not a call per job per retry.
    expect(mintsTried).toBeLessThanOrEqual(CONCURRENT * 6 + 20);
    await expectConverged(h, { maxRunners: 10, timeoutMs: 30_000 });
    expect(h.logs.text).toContain('github keeps failing: launches stop until a probe succeeds');
    expect(h.logs.text).toContain('github answers again: launches resume');
  }, 60_000);

  it('Modal failing every create: at most one wave of JIT configs, then none until it answers', async () => {
    await start();
    h.modal.failNext('SandboxCreateV2', Status.UNAVAILABLE, 1_000_000);
    await queueBurst(h, { jobs: 20, random: seeded(12) });
    await new Promise((r) => setTimeout(r, OUTAGE_MS));
    const minted = h.github.requestsTo('POST', /generate-jitconfig$/).length;
    h.modal.clearFaults();
    expect(minted).toBeLessThanOrEqual(CONCURRENT);
    await expectConverged(h, { maxRunners: 10, timeoutMs: 30_000 });
    // Every registration minted during the outage was deleted again (converged: none left).
    expect(h.logs.text).toContain('modal keeps failing: launches stop until a probe succeeds');
  }, 60_000);
});
