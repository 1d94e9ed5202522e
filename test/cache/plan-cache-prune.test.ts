import { describe, expect, it } from '@jest/globals';
import { planCachePrune, type GenerationEntry } from '../../src/cache/plan-cache-prune.js';

const HOUR = 60 * 60 * 1000;
const DAY = 24 * HOUR;
const GIB = 1024 ** 3;
const now = Date.UTC(2026, 11, 1, 12);

/** A generation published `ageMs` ago holding `bytes`. */
function gen(ageMs: number, bytes: number, writer = 'w'): GenerationEntry {
  const secs = Math.floor((now - ageMs) / 1000);
  return { name: `g-${secs}-${bytes}-${writer}`, mtime: secs };
}

describe('planCachePrune', () => {
  const cache = { sizeGiB: 10, ttlDays: 7 };

  it('keeps a lone fresh generation', () => {
    const g = gen(HOUR, GIB);
    expect(planCachePrune([g], cache, now)).toEqual({
      remove: [],
      keptBytes: GIB,
      current: g.name,
    });
  });

  it('removes generations past the TTL, the newest too', () => {
    const old = gen(8 * DAY, GIB);
    const older = gen(9 * DAY, GIB);
    const plan = planCachePrune([older, old], cache, now);
    expect(plan.remove).toEqual([
      { name: old.name, reason: 'expired' },
      { name: older.name, reason: 'expired' },
    ]);
    expect(plan.current).toBeUndefined();
  });

  it('keeps a superseded generation during the grace, then removes it', () => {
    const older = gen(3 * HOUR, GIB, 'a');
    const justNow = gen(5 * 60 * 1000, GIB, 'b');
    expect(planCachePrune([older, justNow], cache, now).remove).toEqual([]);
    const settled = gen(HOUR, GIB, 'b');
    expect(planCachePrune([older, settled], cache, now)).toEqual({
      remove: [{ name: older.name, reason: 'superseded' }],
      keptBytes: GIB,
      current: settled.name,
    });
  });

  it('judges a superseded generation by the one that replaced it, not by the newest', () => {
    const a = gen(5 * HOUR, GIB / 4, 'a');
    const b = gen(2 * HOUR, GIB / 4, 'b');
    const c = gen(10 * 60 * 1000, GIB / 4, 'c');
    // b replaced a two hours ago: a goes. c replaced b ten minutes ago: b may still be restoring.
    expect(planCachePrune([a, b, c], cache, now).remove).toEqual([
      { name: a.name, reason: 'superseded' },
    ]);
  });

  it('removes the oldest while the kept generations exceed the cap, never the newest', () => {
    const a = gen(20 * 60 * 1000, 6 * GIB, 'a');
    const b = gen(10 * 60 * 1000, 6 * GIB, 'b');
    const plan = planCachePrune([a, b], cache, now);
    expect(plan.remove).toEqual([{ name: a.name, reason: 'over-cap' }]);
    expect(plan.current).toBe(b.name);
    const big = gen(HOUR, 12 * GIB);
    expect(planCachePrune([big], cache, now).remove).toEqual([]);
  });

  it('removes a writer directory untouched for 25 hours, not a recent one', () => {
    const dead = { name: '.tmp-modal-abc-1', mtime: Math.floor((now - 26 * HOUR) / 1000) };
    const live = { name: '.tmp-modal-abc-2', mtime: Math.floor((now - HOUR) / 1000) };
    expect(planCachePrune([dead, live], cache, now).remove).toEqual([
      { name: dead.name, reason: 'abandoned' },
    ]);
  });

  it('ignores names it did not write', () => {
    expect(planCachePrune([{ name: 'README', mtime: 0 }], cache, now).remove).toEqual([]);
  });
});
