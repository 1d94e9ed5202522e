import { describe, expect, it } from '@jest/globals';
import { RequestError } from '@octokit/request-error';
import { retryHintOf } from '../../src/domain/error-fields.js';
import { GitHubError } from '../../src/github/github-error.js';
import { createJitRateLimiter } from '../../src/github/jit-rate-limiter.js';
import { createPacedCall } from '../../src/github/paced-call.js';
import { FakeClock } from '../../sim/fake-clock.js';

/** What Octokit throws for GitHub's secondary rate limit. */
function secondaryLimit(retryAfterSeconds: number): RequestError {
  return new RequestError('You have exceeded a secondary rate limit', 403, {
    request: { method: 'POST', url: 'https://api.github.com/x', headers: {} },
    response: {
      status: 403,
      url: 'https://api.github.com/x',
      headers: { 'retry-after': String(retryAfterSeconds) },
      data: { message: 'You have exceeded a secondary rate limit.' },
    },
  });
}

function setup() {
  const clock = new FakeClock('auto');
  const limiter = createJitRateLimiter({ ratePerSecond: 100, clock });
  const warnings: Record<string, unknown>[] = [];
  const paced = createPacedCall({
    limiter,
    clock,
    log: { warn: (fields) => warnings.push(fields) },
    maxSecondaryLimitRetries: 5,
    fields: (operation) => ({ operation }),
  });
  return { clock, limiter, paced, warnings };
}

describe('paced GitHub calls and long waits', () => {
  it('a retry-after over a minute is not slept inside the call: it fails at once, retryable, with the wait', async () => {
    const { paced, clock } = setup();
    let calls = 0;
    const before = clock.now();
    const error = await paced('generate-jitconfig', {}, async () => {
      calls += 1;
      throw secondaryLimit(120);
    }).catch((e: unknown) => e);
    expect(calls).toBe(1);
    expect(clock.now() - before).toBeLessThan(1_000);
    expect(error).toBeInstanceOf(GitHubError);
    expect(retryHintOf(error)).toEqual({ retryable: true, retryAfterMs: 120_000 });
  });

  it('while the limiter is paused for longer than a minute, a new call is not even sent', async () => {
    const { paced, limiter } = setup();
    limiter.onSecondaryLimit(300_000);
    let calls = 0;
    const error = await paced('generate-jitconfig', {}, async () => {
      calls += 1;
    }).catch((e: unknown) => e);
    expect(calls).toBe(0);
    expect(error).toMatchObject({ code: 'secondary-rate-limit', retryable: true });
    expect((error as GitHubError).retryAfterMs).toBeGreaterThan(290_000);
    expect((error as Error).message).toMatch(/paused for 300 s/);
  });

  it('short waits are sat out and retried here; an error after those retries says so', async () => {
    const { paced, clock } = setup();
    let calls = 0;
    const error = await paced('delete-runner', {}, async () => {
      calls += 1;
      throw secondaryLimit(2);
    }).catch((e: unknown) => e);
    expect(calls).toBe(6);
    expect(clock.sleeps.reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(5 * 2_000);
    // The controller's own retry must not retry it again.
    expect(retryHintOf(error)).toMatchObject({ retryable: true, retriedBelow: true });
  });
});
