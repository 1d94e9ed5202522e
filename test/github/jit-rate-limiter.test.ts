import { describe, expect, it } from '@jest/globals';
import { createJitRateLimiter, type JitRateLimiter } from '../../src/github/jit-rate-limiter.js';
import { FakeClock, flush } from '../../sim/fake-clock.js';

/** Starts `n` acquisitions now; resolves with the fake time (relative to now) each was granted. */
function startAcquisitions(limiter: JitRateLimiter, clock: FakeClock, n: number, tag = '') {
  const start = clock.now();
  const grants: { tag: string; at: number }[] = [];
  const done = Promise.all(
    Array.from({ length: n }, (_, i) =>
      limiter.acquire().then(() => {
        grants.push({ tag: `${tag}${i}`, at: clock.now() - start });
      }),
    ),
  );
  return { grants, done };
}

describe('createJitRateLimiter', () => {
  it.each([
    // rate, calls, when the last call is granted: burst of max(1, rate), then one per 1/rate s.
    { rate: 10, calls: 30, lastAtMs: 2_000 },
    { rate: 10, calls: 10, lastAtMs: 0 },
    { rate: 2, calls: 5, lastAtMs: 1_500 },
    { rate: 0.5, calls: 3, lastAtMs: 4_000 },
    { rate: 100, calls: 300, lastAtMs: 2_000 },
  ])(
    'grants $calls calls at $rate/s with the last at $lastAtMs ms',
    async ({ rate, calls, lastAtMs }) => {
      const clock = new FakeClock();
      const limiter = createJitRateLimiter({ ratePerSecond: rate, clock });
      const { grants, done } = startAcquisitions(limiter, clock, calls);
      await clock.advance(60_000);
      await done;
      expect(grants).toHaveLength(calls);
      const burst = Math.max(1, Math.floor(rate));
      const times = grants.map((g) => g.at);
      expect(times.slice(0, burst).every((t) => t === 0)).toBe(true);
      // After the burst, consecutive grants are 1/rate apart.
      for (let i = burst; i < times.length; i++) {
        expect((times[i] ?? NaN) - (times[i - 1] ?? NaN)).toBeCloseTo(1000 / rate, 0);
      }
      expect(times.at(-1)).toBeCloseTo(lastAtMs, -1);
    },
  );

  it('keeps a fractional rate within a millisecond per call (3/s)', async () => {
    const clock = new FakeClock();
    const limiter = createJitRateLimiter({ ratePerSecond: 3, clock });
    const { grants, done } = startAcquisitions(limiter, clock, 33);
    await clock.advance(60_000);
    await done;
    // 3 at once, then 30 more at 3/s: 10 s, give or take the rounding of each sleep up to 1 ms.
    const last = grants.at(-1)?.at ?? NaN;
    expect(last).toBeGreaterThanOrEqual(10_000);
    expect(last).toBeLessThanOrEqual(10_030);
  });

  it('refills only up to one second of calls while idle', async () => {
    const clock = new FakeClock();
    const limiter = createJitRateLimiter({ ratePerSecond: 10, clock });
    await clock.advance(3_600_000);
    const { grants, done } = startAcquisitions(limiter, clock, 15);
    await clock.advance(10_000);
    await done;
    expect(grants.map((g) => g.at)).toEqual([
      0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 100, 200, 300, 400, 500,
    ]);
  });

  it('serves waiters first come, first served, including late arrivals', async () => {
    const clock = new FakeClock();
    const limiter = createJitRateLimiter({ ratePerSecond: 1, clock });
    const order: string[] = [];
    const first = ['a', 'b', 'c'].map((tag) => limiter.acquire().then(() => order.push(tag)));
    await flush();
    expect(order).toEqual(['a']);
    expect(limiter.waiting()).toBe(2);
    await clock.advance(500);
    const late = ['d', 'e'].map((tag) => limiter.acquire().then(() => order.push(tag)));
    await clock.advance(10_000);
    await Promise.all([...first, ...late]);
    expect(order).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(limiter.waiting()).toBe(0);
  });

  it('pauses every caller until retry-after and halves the rate on a secondary limit', async () => {
    const clock = new FakeClock();
    const limiter = createJitRateLimiter({ ratePerSecond: 10, clock });
    const start = clock.now();
    limiter.onSecondaryLimit(2_000);
    expect(limiter.currentRate()).toBe(5);
    expect(limiter.pausedUntil()).toBe(start + 2_000);
    const { grants, done } = startAcquisitions(limiter, clock, 4);
    await clock.advance(1_999);
    expect(grants).toHaveLength(0);
    await clock.advance(10_000);
    await done;
    // One probe right at the end of the pause, then 5/s: 200 ms apart.
    expect(grants.map((g) => g.at)).toEqual([2_000, 2_200, 2_400, 2_600]);
  });

  it('waits 60 s when GitHub gives no retry-after', async () => {
    const clock = new FakeClock();
    const limiter = createJitRateLimiter({ ratePerSecond: 10, clock });
    limiter.onSecondaryLimit();
    const { grants, done } = startAcquisitions(limiter, clock, 1);
    await clock.advance(59_999);
    expect(grants).toHaveLength(0);
    await clock.advance(1);
    await done;
    expect(grants.map((g) => g.at)).toEqual([60_000]);
  });

  it('halves once for limits reported together, but extends the pause', async () => {
    const clock = new FakeClock();
    const limiter = createJitRateLimiter({ ratePerSecond: 10, clock });
    const start = clock.now();
    limiter.onSecondaryLimit(2_000);
    limiter.onSecondaryLimit(2_000);
    await clock.advance(1_000);
    limiter.onSecondaryLimit(3_000);
    expect(limiter.currentRate()).toBe(5);
    expect(limiter.pausedUntil()).toBe(start + 4_000);
  });

  it('halves on each separate limit down to the floor', async () => {
    const clock = new FakeClock();
    const limiter = createJitRateLimiter({ ratePerSecond: 10, clock });
    const rates: number[] = [];
    for (let i = 0; i < 8; i++) {
      limiter.onSecondaryLimit(1_000);
      rates.push(limiter.currentRate());
      await clock.advance(1_000);
    }
    expect(rates).toEqual([5, 2.5, 1.25, 0.625, 0.3125, 0.2, 0.2, 0.2]);
  });

  it('recovers additively on success, at most one step per interval, up to the configured rate', async () => {
    const clock = new FakeClock();
    const limiter = createJitRateLimiter({ ratePerSecond: 10, clock });
    limiter.onSecondaryLimit(2_000);
    await clock.advance(2_000);
    const seen: number[] = [];
    // One success every second for 40 s.
    for (let s = 0; s < 40; s++) {
      limiter.onSuccess();
      seen.push(limiter.currentRate());
      await clock.advance(1_000);
    }
    // +1/s (10 % of 10/s) every 5 s of successes, from 5 back to 10, never beyond.
    expect(seen.slice(0, 5)).toEqual([5, 5, 5, 5, 5]);
    expect(seen[5]).toBe(6);
    expect(seen[10]).toBe(7);
    expect(seen[25]).toBe(10);
    expect(Math.max(...seen)).toBe(10);
    expect(seen.at(-1)).toBe(10);
  });

  it('does not recover without successes', async () => {
    const clock = new FakeClock();
    const limiter = createJitRateLimiter({ ratePerSecond: 10, clock });
    limiter.onSecondaryLimit(1_000);
    await clock.advance(600_000);
    expect(limiter.currentRate()).toBe(5);
  });

  it('paces at the reduced rate after a limit and speeds up as the rate recovers', async () => {
    const clock = new FakeClock();
    const limiter = createJitRateLimiter({
      ratePerSecond: 4,
      clock,
      recoveryStep: 0.5,
      recoveryIntervalMs: 1_000,
    });
    limiter.onSecondaryLimit(1_000);
    expect(limiter.currentRate()).toBe(2);
    const start = clock.now();
    const times: number[] = [];
    const calls = Array.from({ length: 6 }, () =>
      limiter.acquire().then(() => {
        times.push(clock.now() - start);
        limiter.onSuccess();
      }),
    );
    await clock.advance(20_000);
    await Promise.all(calls);
    // Probe at 1 000, then 2/s; the success at 2 000 (1 s after the pause) restores 4/s. Tokens
    // accrue at 4/s from then on: two are there when the waiter wakes at 2 500, then 250 ms apart.
    expect(times).toEqual([1_000, 1_500, 2_000, 2_500, 2_500, 2_750]);
    expect(limiter.currentRate()).toBe(4);
  });

  it('refuses a rate that is not positive', () => {
    const clock = new FakeClock();
    expect(() => createJitRateLimiter({ ratePerSecond: 0, clock })).toThrow(RangeError);
    expect(() => createJitRateLimiter({ ratePerSecond: Number.NaN, clock })).toThrow(RangeError);
  });

  it('keeps the floor at the configured rate when that is lower', () => {
    const clock = new FakeClock();
    const limiter = createJitRateLimiter({ ratePerSecond: 0.1, clock });
    limiter.onSecondaryLimit(1_000);
    expect(limiter.currentRate()).toBe(0.1);
  });
});
