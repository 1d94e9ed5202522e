import { afterEach, describe, expect, it } from '@jest/globals';
import type { RunnerClass } from '../../src/config/runner-class.js';
import { jobObservation } from '../../sim/records.js';
import { inMemoryController, settle, type InMemoryController } from './in-memory-controller.js';

const modal: RunnerClass = { name: 'modal', cpu: 2, memoryMiB: 8192 };

let t: InMemoryController | undefined;
afterEach(async () => {
  await t?.controller.stop();
  t = undefined;
});

async function queue(w: InMemoryController, id: number): Promise<void> {
  await w.ledger.observeJob(jobObservation(id));
  w.controller.jobQueued();
  await settle(w);
}

describe('a queued job at MAX_RUNNERS', () => {
  it('is not planned while the cap is reached and no warm sandbox is left; the next plan takes it in', async () => {
    t = inMemoryController(modal, { maxRunners: 1 });
    await queue(t, 1);
    await queue(t, 2);
    expect(t.controller.waitReasons().get(2)).toBe('cap');
    // Saturated: job 3 could not launch; no plan runs for it.
    await queue(t, 3);
    expect(t.controller.waitReasons().has(3)).toBe(false);
    // Anything that can change the picture plans again, and the job is in it.
    t.controller.wake();
    await settle(t);
    expect(t.controller.waitReasons().get(3)).toBe('cap');
  });

  it('below the cap every queued job is planned at once', async () => {
    t = inMemoryController(modal, { maxRunners: 3 });
    await queue(t, 1);
    await queue(t, 2);
    expect((await t.ledger.listRunners(['booting'])).map((r) => r.launchedForJobId).sort()).toEqual(
      [1, 2],
    );
  });
});
