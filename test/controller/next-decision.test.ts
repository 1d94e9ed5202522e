import { describe, expect, it } from '@jest/globals';
import { nextDecisionAt } from '../../src/controller/next-decision.js';
import type { PlanCaps, WaitReason } from '../../src/controller/plan.js';
import { job, runner } from '../../sim/records.js';

const NOW = 1_000_000;
const caps: PlanCaps = {
  maxRunners: 10,
  classMaxRunners: new Map(),
  idleGraceMs: 60_000,
  bootTimeoutMs: 300_000,
  warmPools: new Map([['modal', { size: 2, maxAgeMs: 1_800_000 }]]),
};
const none = new Map<number, WaitReason>();

describe('nextDecisionAt', () => {
  it('is undefined when nothing waits on time', () => {
    const snapshot = { queuedJobs: [job(1)], runners: [], inFlight: new Set<string>() };
    expect(nextDecisionAt(snapshot, caps, NOW, none)).toBeUndefined();
  });

  it('is the earliest of a backoff end, a grace end, a boot timeout and a warm sandbox age', () => {
    const snapshot = {
      queuedJobs: [job(1, { nextAttemptAt: NOW + 5_000 }), job(2, { nextAttemptAt: NOW + 1_000 })],
      runners: [
        runner('idle', { state: 'idle', updatedAt: NOW - 50_000 }),
        runner('booting', { state: 'booting', createdAt: NOW - 290_000, updatedAt: NOW - 200_000 }),
        runner('warm', { state: 'warm', createdAt: NOW - 1_799_000 }),
      ],
      inFlight: new Set<string>(),
    };
    const backoff = new Map<number, WaitReason>([[1, 'backoff']]);
    // Job 2 is not waiting for its backoff (the plan covered it): only job 1's end counts.
    expect(nextDecisionAt(snapshot, caps, NOW, backoff)).toBe(NOW + 1_000);
    expect(nextDecisionAt({ ...snapshot, queuedJobs: [] }, caps, NOW, none)).toBe(NOW + 1_000);
    const noWarm = { ...snapshot, runners: snapshot.runners.slice(0, 2), queuedJobs: [] };
    expect(nextDecisionAt(noWarm, caps, NOW, none)).toBe(NOW + 10_000);
  });

  it('leaves runners in flight, launching or busy alone, and never answers the past', () => {
    const snapshot = {
      queuedJobs: [job(1, { nextAttemptAt: NOW - 1 })],
      runners: [
        runner('a', { state: 'idle', updatedAt: NOW - 10 }),
        runner('b', { state: 'launching', updatedAt: NOW - 10 }),
        runner('c', { state: 'busy', updatedAt: NOW - 10 }),
      ],
      inFlight: new Set(['a']),
    };
    expect(nextDecisionAt(snapshot, caps, NOW, new Map([[1, 'backoff']]))).toBeUndefined();
  });
});
