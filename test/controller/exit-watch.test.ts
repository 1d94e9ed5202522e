import { afterEach, describe, expect, it } from '@jest/globals';
import type { RunnerClass } from '../../src/config/runner-class.js';
import { jobObservation } from '../../sim/records.js';
import { inMemoryController, settle, type InMemoryController } from './in-memory-controller.js';

const modal: RunnerClass = { name: 'modal', cpu: 2, memoryMiB: 8192 };
const LAG_MS = 5_000;

let t: InMemoryController | undefined;
afterEach(async () => {
  await t?.controller.stop();
  t = undefined;
});

async function booted(): Promise<InMemoryController> {
  t = inMemoryController(modal, { exitWatchLagMs: LAG_MS });
  await t.ledger.observeJob(jobObservation(1));
  t.controller.wake();
  await settle(t);
  return t;
}

describe('exit watching by listing', () => {
  it('one listing per pass, whatever the fleet; a runner changed within the lag is looked at next time', async () => {
    const w = await booted();
    const [runner] = await w.ledger.listRunners(['booting']);
    w.platform.exit(runner?.sandboxId ?? '', 1);
    const listingsBefore = w.log.argsOf('modal.list').length;
    // Just launched: the listing may lag behind Modal, so the runner is left for now.
    expect(await w.controller.watchExits()).toBe(0);
    expect((await w.ledger.getRunner(runner?.name ?? ''))?.state).toBe('booting');
    await w.clock.sleep(LAG_MS);
    expect(await w.controller.watchExits()).toBe(1);
    await settle(w);
    expect((await w.ledger.getRunner(runner?.name ?? ''))?.state).toBe('failed');
    expect(w.log.argsOf('modal.list').length - listingsBefore).toBe(2);
  });

  it('a listing that fails changes nothing; running sandboxes are left alone', async () => {
    const w = await booted();
    await w.clock.sleep(LAG_MS);
    w.log.fail('modal.list', new Error('Modal down (test)'));
    expect(await w.controller.watchExits()).toBe(0);
    expect(await w.controller.watchExits()).toBe(0);
    expect(await w.ledger.listRunners(['booting'])).toHaveLength(1);
  });
});
