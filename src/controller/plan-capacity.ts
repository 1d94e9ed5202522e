import { isLive } from '../domain/runner-state.js';
import type { RunnerRecord } from '../ledger/ledger.js';
import type { PlanCaps } from './plan-types.js';

/** Slots left under MAX_RUNNERS and the class caps, as the plan hands them out. */
export interface Capacity {
  /** Takes a slot for a sandbox of the class; undefined when taken, else which cap stopped it. */
  take(runnerClass: string): 'cap' | 'class-cap' | undefined;
}

/** Every live sandbox counts against the caps until Modal confirms it gone. Pure. */
export function capacityFor(runners: readonly RunnerRecord[], caps: PlanCaps): Capacity {
  const liveByClass = new Map<string, number>();
  let live = 0;
  for (const r of runners) {
    if (!isLive(r.state)) continue;
    live += 1;
    liveByClass.set(r.runnerClass, (liveByClass.get(r.runnerClass) ?? 0) + 1);
  }
  let slots = caps.maxRunners - live;
  const classSlots = new Map<string, number>();
  for (const [name, max] of caps.classMaxRunners) {
    classSlots.set(name, max - (liveByClass.get(name) ?? 0));
  }
  return {
    take(runnerClass) {
      if (slots <= 0) return 'cap';
      const classLeft = classSlots.get(runnerClass) ?? Infinity;
      if (classLeft <= 0) return 'class-cap';
      slots -= 1;
      if (classSlots.has(runnerClass)) classSlots.set(runnerClass, classLeft - 1);
      return undefined;
    },
  };
}
