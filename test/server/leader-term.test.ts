import { describe, expect, it } from '@jest/globals';
import pino from 'pino';
import type { Controller } from '../../src/controller/controller.js';
import { systemClock } from '../../src/domain/clock.js';
import type { Ledger } from '../../src/ledger/ledger.js';
import { createMemoryLedger } from '../../src/ledger/memory-ledger.js';
import type { Leadership, LeadershipHandlers } from '../../src/ports/leadership.js';
import type { Reconciler, TickReport } from '../../src/reconciler/reconciler.js';
import { localWorkSignal } from '../../src/server/always-leader.js';
import { createLeaderTerms, type LeaderParts } from '../../src/server/leader-term.js';
import type { BackgroundLoop } from '../../src/server/lifecycle.js';
import { createRunnerLocks } from '../../src/controller/runner-locks.js';
import { eventually } from '../../sim/harness.js';

const log = pino({ level: 'silent' });
const REPORT: TickReport = {
  repairs: {},
  jobsChecked: 0,
  jobsClosed: 0,
  redelivered: 0,
  apiCalls: 0,
  skipped: [],
};

/** A leadership driven by the test. */
function manualLeadership() {
  let handlers: LeadershipHandlers | undefined;
  let epoch: number | undefined;
  const leadership: Leadership = {
    replicaId: 'me',
    start: (h) => {
      handlers = h;
    },
    currentEpoch: () => epoch,
    resign: (reason) => {
      epoch = undefined;
      handlers?.onDeposed(reason);
    },
    info: () => ({ replicaId: 'me', leader: null, epoch: epoch ?? null, isLeader: false }),
    stop: async () => {},
  };
  return {
    leadership,
    elect(e: number) {
      epoch = e;
      handlers?.onElected(e);
    },
    depose(reason: string) {
      epoch = undefined;
      handlers?.onDeposed(reason);
    },
  };
}

/** Parts that record what the term does with them, in order. */
function recordingParts(events: string[], ledger: Ledger, gate: Promise<void>) {
  return (epoch: number): LeaderParts => {
    let stopped = false;
    const controller: Controller = {
      wake: () => events.push(`${epoch}: plan${stopped ? ' (after stop!)' : ''}`),
      jobQueued: () => events.push(`${epoch}: plan${stopped ? ' (after stop!)' : ''}`),
      settled: async () => {},
      waitReasons: () => new Map([[epoch, 'cap' as const]]),
      locks: createRunnerLocks(),
      recover: async () => {
        events.push(`${epoch}: undo cut-off launches`);
      },
      watchExits: async () => 0,
      stop: async () => {
        stopped = true;
        events.push(`${epoch}: controller stopped`);
      },
    };
    const reconciler: Reconciler = {
      tick: async () => {
        events.push(`${epoch}: reconcile`);
        await gate;
        events.push(`${epoch}: reconciled`);
        return REPORT;
      },
    };
    return { ledger, controller, reconciler };
  };
}

const loops = (parts: LeaderParts): BackgroundLoop[] => [
  { name: 'controller', start: () => parts.controller.wake(), stop: () => parts.controller.stop() },
];

/** Terms over a leadership the test elects and deposes by hand, started at once. */
function startedTerms(
  manual: ReturnType<typeof manualLeadership>,
  build: (epoch: number) => LeaderParts,
  signal = localWorkSignal(),
) {
  const terms = createLeaderTerms({
    leadership: manual.leadership,
    signal,
    build,
    loops,
    log,
    clock: systemClock,
  });
  terms.start();
  return terms;
}

describe('leader terms', () => {
  it('a new leader recovers and reconciles before it plans; wakes before that wait for it', async () => {
    const ledger = createMemoryLedger();
    const events: string[] = [];
    let open = () => {};
    const gate = new Promise<void>((r) => (open = r));
    const manual = manualLeadership();
    const terms = startedTerms(manual, recordingParts(events, ledger, gate));
    manual.elect(1);
    terms.controller.wake(); // a webhook while the term starts: no plan before the reconcile
    await eventually(() => events.includes('1: reconcile'), 'reconciling');
    expect(events).toEqual(['1: undo cut-off launches', '1: reconcile']);
    open();
    await terms.controller.settled();
    expect(events.slice(2)).toEqual(['1: reconciled', '1: plan']);
    terms.controller.wake();
    expect(events.at(-1)).toBe('1: plan');
    expect(terms.controller.waitReasons().get(1)).toBe('cap');
    await terms.stop();
    expect(events.at(-1)).toBe('1: controller stopped');
  });

  it('losing the lease stops the controller at once, even while the term is still starting; a follower signals the leader instead of planning', async () => {
    const ledger = createMemoryLedger();
    const events: string[] = [];
    let open = () => {};
    const gate = new Promise<void>((r) => (open = r));
    const manual = manualLeadership();
    const signal = localWorkSignal();
    let signalled = 0;
    signal.onWork(() => (signalled += 1));
    const terms = startedTerms(manual, recordingParts(events, ledger, gate), signal);
    manual.elect(1);
    await eventually(() => events.includes('1: reconcile'), 'reconciling');
    manual.depose('taken over');
    // Stopped before its first reconciliation even ended: it never plans.
    expect(events.at(-1)).toBe('1: controller stopped');
    open();
    await new Promise((r) => setTimeout(r, 20));
    expect(events.filter((e) => e.includes('plan'))).toEqual([]);
    expect(terms.controller.waitReasons().size).toBe(0);
    expect((await terms.reconciler.tick()).skipped).toEqual(['not the leader']);
    // A follower: a recorded job is signalled to the leader.
    const before = signalled;
    terms.controller.wake();
    expect(signalled).toBe(before + 1);
    // Elected again: a new term, with new parts.
    manual.elect(2);
    await terms.controller.settled();
    expect(events.slice(-2)).toEqual(['2: reconciled', '2: plan']);
    // Work signalled by followers wakes the leader's controller.
    signal.notify();
    expect(events.at(-1)).toBe('2: plan');
    await terms.stop();
  });

  it('a term that cannot start gives the lease up instead of leading without planning', async () => {
    const events: string[] = [];
    const manual = manualLeadership();
    const build = recordingParts(events, createMemoryLedger(), Promise.resolve());
    const terms = startedTerms(manual, (epoch) => {
      const parts = build(epoch);
      parts.controller.recover = async () => {
        throw new Error('database unreachable');
      };
      return parts;
    });
    manual.elect(1);
    await eventually(() => manual.leadership.currentEpoch() === undefined, 'resigned');
    await eventually(() => events.includes('1: controller stopped'), 'term ended');
    expect(events.some((e) => e.includes('plan'))).toBe(false);
    await terms.stop();
  });
});
