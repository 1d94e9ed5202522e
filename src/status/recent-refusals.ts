import type { Refusal } from './status-snapshot.js';

export interface RecentRefusals {
  add(refusal: Refusal): void;
  /** Newest first. */
  list(): Refusal[];
}

/**
 * The last refused jobs (repository not allowed, unknown class…), in memory for the status
 * page: a refusal changes nothing in the ledger, so it is not stored there. Keeps `capacity`.
 */
export function createRecentRefusals(capacity = 50): RecentRefusals {
  const items: Refusal[] = [];
  return {
    add(refusal) {
      items.unshift(refusal);
      if (items.length > capacity) items.length = capacity;
    },
    list: () => [...items],
  };
}
