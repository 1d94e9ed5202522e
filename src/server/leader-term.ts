import type { Logger } from 'pino';
import type { Controller } from '../controller/controller.js';
import type { WaitReason } from '../controller/plan.js';
import { errorFields } from '../domain/error-fields.js';
import type { Ledger } from '../ledger/ledger.js';
import type { Leadership, WorkSignal } from '../ports/leadership.js';
import type { Reconciler, TickReport } from '../reconciler/reconciler.js';
import type { Clock } from '../domain/clock.js';
import {
  startLoops,
  type BackgroundLoop,
  type LoopHealth,
  type RunningLoops,
} from './lifecycle.js';
import { recover } from './recover.js';

/** What one leader term runs: built afresh for every term, over that term's fenced ledger. */
export interface LeaderParts {
  readonly ledger: Ledger;
  readonly controller: Controller;
  readonly reconciler: Reconciler;
}

/** The controller as the app and the status page see it, whichever term (if any) runs here. */
export interface ControllerView {
  /** Plans soon: here when this replica leads, else tells the leader (WorkSignal). */
  wake(): void;
  /** A job was queued: as `wake`, but the leader skips the plan while its caps are full. */
  jobQueued(): void;
  /** Resolves once this replica's term (if any) has started and has nothing in flight. */
  settled(): Promise<void>;
  waitReasons(): ReadonlyMap<number, WaitReason>;
}

export interface LeaderTerms {
  readonly controller: ControllerView;
  readonly reconciler: { tick(): Promise<TickReport> };
  /** The running term's loops' liveness; none while this replica follows or its term starts. */
  health(): LoopHealth[];
  /** Starts campaigning; every election starts a term, every deposition ends it. */
  start(): void;
  /** Ends the term (its actions in flight finish), then gives the lease up. */
  stop(): Promise<void>;
}

interface Term {
  readonly epoch: number;
  readonly parts: LeaderParts;
  ready: Promise<void>;
  loops: RunningLoops | undefined;
  ended: boolean;
  stopping: Promise<void> | undefined;
  unsubscribe: () => void;
}

/** A new leader waits this long at most for its first reconciliation before it plans. */
const FIRST_RECONCILE_WAIT_MS = 30_000;

const NOT_LEADER: TickReport = {
  repairs: {},
  jobsChecked: 0,
  jobsClosed: 0,
  redelivered: 0,
  apiCalls: 0,
  skipped: ['not the leader'],
};

/**
 * Runs the controller and the reconciler while, and only while, this replica leads. A term
 * begins with recovery (undoing the launches cut off) and one reconciliation, then plans; it
 * ends at once when the lease is lost: the controller plans no more, and what it had in flight
 * finishes against a fenced ledger that refuses its writes.
 */
export function createLeaderTerms(deps: {
  readonly leadership: Leadership;
  readonly signal: WorkSignal;
  readonly build: (epoch: number) => LeaderParts;
  readonly loops: (parts: LeaderParts) => BackgroundLoop[];
  readonly log: Logger;
  readonly clock: Clock;
}): LeaderTerms {
  const { leadership, signal, log } = deps;
  let term: Term | undefined;
  /** Ends of earlier terms: a new term acts only once the last one has stopped. */
  let ending: Promise<void> = Promise.resolve();
  let stopped = false;

  function begin(epoch: number): void {
    if (stopped) return;
    if (term !== undefined) void end(term, 'a new term began');
    const parts = deps.build(epoch);
    const t: Term = {
      epoch,
      parts,
      ready: Promise.resolve(),
      loops: undefined,
      ended: false,
      stopping: undefined,
      unsubscribe: () => {},
    };
    const previous = ending;
    t.ready = (async () => {
      await previous;
      await recover(parts.controller);
      await firstReconcile(parts.reconciler);
      if (t.ended) return;
      t.loops = startLoops(deps.loops(parts), log, deps.clock);
      log.info({ epoch }, 'leader term started: reconciled, now planning');
    })().catch((error: unknown) => {
      log.error({ epoch, err: errorFields(error) }, 'the leader term could not start');
      // Leading without planning helps nobody: give the lease a chance to go to a replica that
      // can (this one included, once its database or dependencies answer again).
      if (!t.ended)
        leadership.resign(`the leader term could not start: ${errorFields(error).message}`);
    });
    t.unsubscribe = signal.onWork(() => {
      if (t.loops !== undefined) parts.controller.wake();
    });
    term = t;
  }

  function end(t: Term, reason: string): Promise<void> {
    if (t.stopping !== undefined) return t.stopping;
    t.ended = true;
    t.unsubscribe();
    if (term === t) term = undefined;
    log.info({ epoch: t.epoch, reason }, 'leader term ending');
    t.stopping = (async () => {
      // The controller first and at once: no plan starts after this.
      const controllerStopped = t.parts.controller.stop();
      await t.ready;
      await Promise.all([controllerStopped, t.loops?.stop()]);
    })().catch((error: unknown) =>
      log.error(
        { epoch: t.epoch, err: errorFields(error) },
        'the leader term did not stop cleanly',
      ),
    );
    ending = ending.then(() => t.stopping);
    return t.stopping;
  }

  async function firstReconcile(reconciler: Reconciler): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((resolve) => {
      timer = setTimeout(() => {
        log.warn('the first reconciliation is slow; planning without waiting for it');
        resolve();
      }, FIRST_RECONCILE_WAIT_MS);
      timer.unref();
    });
    await Promise.race([reconciler.tick().then(() => undefined), timeout]);
    clearTimeout(timer);
  }

  /**
   * New work: this replica's controller when it leads, else the leader's (WorkSignal). A term
   * still starting plans anyway as soon as it has reconciled.
   */
  const toLeader = (kick: (controller: Controller) => void) => () => {
    const t = term;
    if (t === undefined) signal.notify();
    else if (t.loops !== undefined) kick(t.parts.controller);
  };

  return {
    controller: {
      wake: toLeader((c) => c.wake()),
      jobQueued: toLeader((c) => c.jobQueued()),
      async settled() {
        const t = term;
        if (t === undefined) return;
        await t.ready;
        await t.parts.controller.settled();
      },
      waitReasons: () => term?.parts.controller.waitReasons() ?? new Map(),
    },
    health: () => term?.loops?.health() ?? [],
    reconciler: {
      async tick() {
        const t = term;
        if (t === undefined) return NOT_LEADER;
        await t.ready;
        return t.parts.reconciler.tick();
      },
    },
    start() {
      leadership.start({
        onElected: (epoch) => begin(epoch),
        onDeposed: (reason) => {
          if (term !== undefined) void end(term, reason);
        },
      });
    },
    async stop() {
      stopped = true;
      if (term !== undefined) await end(term, 'the server is stopping');
      await ending;
      await leadership.stop();
    },
  };
}
