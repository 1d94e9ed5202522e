import type { Leadership, WorkSignal } from '../ports/leadership.js';

/**
 * One replica (SQLite or memory ledger): it leads from the start, for good, with epoch 0. The
 * ledger it runs on is its own, so there is nothing to fence.
 */
export function alwaysLeader(replicaId: string): Leadership {
  let leading = false;
  return {
    replicaId,
    start(handlers) {
      leading = true;
      handlers.onElected(0);
    },
    currentEpoch: () => (leading ? 0 : undefined),
    resign() {},
    info: () => ({ replicaId, leader: leading ? replicaId : null, epoch: 0, isLeader: leading }),
    async stop() {
      leading = false;
    },
  };
}

/** Work signals inside one process: listeners are called at once. */
export function localWorkSignal(): WorkSignal {
  const work = new Set<() => void>();
  const released = new Set<() => void>();
  const subscribe = (set: Set<() => void>, listener: () => void) => {
    set.add(listener);
    return () => set.delete(listener);
  };
  return {
    notify: () => work.forEach((l) => l()),
    onWork: (listener) => subscribe(work, listener),
    async notifyLeaseReleased() {
      released.forEach((l) => l());
    },
    onLeaseReleased: (listener) => subscribe(released, listener),
    async close() {
      work.clear();
      released.clear();
    },
  };
}
