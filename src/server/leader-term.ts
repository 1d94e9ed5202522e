import type { Controller } from '../controller/controller.js';
import type { WaitReason } from '../controller/plan.js';
import type { TickReport } from '../reconciler/reconciler.js';
import { beginTerm } from './begin-term.js';
import { endTerm } from './end-term.js';
import type { LeaderTermsContext, LeaderTermsDeps } from './leader-term-context.js';
import type { LoopHealth } from './lifecycle.js';

export type { LeaderParts } from './leader-term-context.js';

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
export function createLeaderTerms(deps: LeaderTermsDeps): LeaderTerms {
  const ctx: LeaderTermsContext = {
    ...deps,
    term: undefined,
    ending: Promise.resolve(),
    stopped: false,
  };

  /**
   * New work: this replica's controller when it leads, else the leader's (WorkSignal). A term
   * still starting plans anyway as soon as it has reconciled.
   */
  const toLeader = (kick: (controller: Controller) => void) => () => {
    const t = ctx.term;
    if (t === undefined) deps.signal.notify();
    else if (t.loops !== undefined) kick(t.parts.controller);
  };

  return {
    controller: {
      wake: toLeader((c) => c.wake()),
      jobQueued: toLeader((c) => c.jobQueued()),
      async settled() {
        const t = ctx.term;
        if (t === undefined) return;
        await t.ready;
        await t.parts.controller.settled();
      },
      waitReasons: () => ctx.term?.parts.controller.waitReasons() ?? new Map(),
    },
    health: () => ctx.term?.loops?.health() ?? [],
    reconciler: {
      async tick() {
        const t = ctx.term;
        if (t === undefined) return NOT_LEADER;
        await t.ready;
        return t.parts.reconciler.tick();
      },
    },
    start() {
      deps.leadership.start({
        onElected: (epoch) => beginTerm(ctx, epoch),
        onDeposed: (reason) => {
          if (ctx.term !== undefined) void endTerm(ctx, ctx.term, reason);
        },
      });
    },
    async stop() {
      ctx.stopped = true;
      if (ctx.term !== undefined) await endTerm(ctx, ctx.term, 'the server is stopping');
      await ctx.ending;
      await deps.leadership.stop();
    },
  };
}
