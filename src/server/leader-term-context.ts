import type { Logger } from 'pino';
import type { Controller } from '../controller/controller.js';
import type { Clock } from '../domain/clock.js';
import type { Ledger } from '../ledger/ledger.js';
import type { Leadership, WorkSignal } from '../ports/leadership.js';
import type { Reconciler } from '../reconciler/reconciler.js';
import type { BackgroundLoop, RunningLoops } from './lifecycle.js';

/** What one leader term runs: built afresh for every term, over that term's fenced ledger. */
export interface LeaderParts {
  readonly ledger: Ledger;
  readonly controller: Controller;
  readonly reconciler: Reconciler;
}

export interface LeaderTermsDeps {
  readonly leadership: Leadership;
  readonly signal: WorkSignal;
  readonly build: (epoch: number) => LeaderParts;
  readonly loops: (parts: LeaderParts) => BackgroundLoop[];
  readonly log: Logger;
  readonly clock: Clock;
}

/** One leader term: from an election to the deposition (or the server stopping). */
export interface Term {
  readonly epoch: number;
  readonly parts: LeaderParts;
  /** Settles once the term has recovered, reconciled and started its loops (or failed to). */
  ready: Promise<void>;
  loops: RunningLoops | undefined;
  ended: boolean;
  stopping: Promise<void> | undefined;
  unsubscribe: () => void;
}

/** The one state object the term functions work over. */
export interface LeaderTermsContext extends LeaderTermsDeps {
  /** The running term, if this replica leads. */
  term: Term | undefined;
  /** Ends of earlier terms: a new term acts only once the last one has stopped. */
  ending: Promise<void>;
  stopped: boolean;
}
