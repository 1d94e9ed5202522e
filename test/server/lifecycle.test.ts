import { afterEach, describe, expect, it } from '@jest/globals';
import pino from 'pino';
import { startLoops, type RunningLoops } from '../../src/server/lifecycle.js';
import { FakeClock, flush } from '../../sim/fake-clock.js';

const log = pino({ level: 'silent' });
/** Long enough that the real timer never fires during a test: only the first tick runs. */
const INTERVAL = 60_000;

describe('background loop liveness', () => {
  let loops: RunningLoops | undefined;
  afterEach(async () => {
    await loops?.stop();
    loops = undefined;
  });

  const healthOf = (name: string) => loops?.health().find((h) => h.name === name);

  it('a loop whose ticks come at their interval is alive, failing ticks included', async () => {
    const clock = new FakeClock();
    loops = startLoops(
      [
        {
          name: 'failing',
          intervalMs: INTERVAL,
          tick: () => Promise.reject(new Error('GitHub down')),
        },
      ],
      log,
      clock,
    );
    await flush();
    await clock.advance(INTERVAL);
    expect(healthOf('failing')).toMatchObject({
      alive: true,
      intervalMs: INTERVAL,
      lastTickStartedAt: clock.now() - INTERVAL,
      lastTickEndedAt: clock.now() - INTERVAL,
    });
  });

  it('a loop with no tick for more than two intervals is not alive', async () => {
    const clock = new FakeClock();
    loops = startLoops([{ name: 'quiet', intervalMs: INTERVAL, tick: async () => {} }], log, clock);
    await flush();
    await clock.advance(2 * INTERVAL);
    expect(healthOf('quiet')?.alive).toBe(true);
    await clock.advance(2_000);
    expect(healthOf('quiet')).toMatchObject({
      alive: false,
      problem: 'no tick for 122 s (one every 60 s expected)',
    });
  });

  it('a tick that runs past its stuck limit makes the loop not alive; its end revives it', async () => {
    const clock = new FakeClock();
    let finish: () => void = () => {};
    loops = startLoops(
      [
        {
          name: 'slow',
          intervalMs: INTERVAL,
          stuckAfterMs: 10 * INTERVAL,
          tick: () => new Promise<void>((resolve) => (finish = resolve)),
        },
      ],
      log,
      clock,
    );
    await clock.advance(10 * INTERVAL);
    expect(healthOf('slow')?.alive).toBe(true);
    await clock.advance(1);
    expect(healthOf('slow')).toMatchObject({
      alive: false,
      problem: 'its tick has run for 600 s (stuck after 600 s)',
    });
    finish();
    await flush();
    expect(healthOf('slow')?.alive).toBe(true);
  });

  it('by default a tick may run five intervals, and at least five minutes', async () => {
    const clock = new FakeClock();
    const pending: (() => void)[] = [];
    const hang = () => new Promise<void>((resolve) => pending.push(resolve));
    loops = startLoops(
      [
        { name: 'short', intervalMs: 1_000, tick: hang },
        { name: 'long', intervalMs: 120_000, tick: hang },
      ],
      log,
      clock,
    );
    await clock.advance(300_000);
    expect(healthOf('short')?.alive).toBe(true);
    expect(healthOf('long')?.alive).toBe(true);
    await clock.advance(1);
    expect(healthOf('short')?.alive).toBe(false);
    expect(healthOf('long')?.alive).toBe(true);
    await clock.advance(300_000);
    expect(healthOf('long')?.alive).toBe(false);
    for (const resolve of pending) resolve();
  });

  it('an event-driven loop is alive; a stopped loop is not', async () => {
    const clock = new FakeClock();
    const running = startLoops([{ name: 'controller' }], log, clock);
    expect(running.health()).toEqual([{ name: 'controller', alive: true }]);
    await running.stop();
    expect(running.health()).toEqual([{ name: 'controller', alive: false, problem: 'stopped' }]);
  });
});
