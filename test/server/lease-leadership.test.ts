import { afterEach, describe, expect, it } from '@jest/globals';
import pino from 'pino';
import type { Clock } from '../../src/domain/clock.js';
import type { Leadership, LeaseState, LeaseStore } from '../../src/ports/leadership.js';
import { localWorkSignal } from '../../src/server/always-leader.js';
import { createLeaseLeadership } from '../../src/server/lease-leadership.js';
import { eventually } from '../../sim/harness.js';

/** The lease row in memory, with its expiry by real time, as the database keeps it. */
class MemoryLeaseStore implements LeaseStore {
  lease: { holder: string; epoch: number; expiresAt: number } | undefined;
  /** While set, every call fails as if the database were unreachable. */
  down = false;
  private check() {
    if (this.down) return Promise.reject(new Error('connection refused'));
    return Promise.resolve();
  }
  async tryAcquire(holder: string, ttlMs: number): Promise<LeaseState> {
    await this.check();
    const now = Date.now();
    if (this.lease && this.lease.expiresAt > now) {
      return { acquired: false, holder: this.lease.holder, epoch: this.lease.epoch };
    }
    this.lease = { holder, epoch: (this.lease?.epoch ?? 0) + 1, expiresAt: now + ttlMs };
    return { acquired: true, holder, epoch: this.lease.epoch };
  }
  async renew(holder: string, epoch: number, ttlMs: number) {
    await this.check();
    const l = this.lease;
    if (!l || l.holder !== holder || l.epoch !== epoch || l.expiresAt <= Date.now()) return false;
    l.expiresAt = Date.now() + ttlMs;
    return true;
  }
  async release(holder: string, epoch: number) {
    await this.check();
    if (this.lease?.holder === holder && this.lease.epoch === epoch) this.lease.expiresAt = 0;
  }
}

/** Real time, plus a jump (a process paused by SIGSTOP sees its clock leap on SIGCONT). */
class JumpClock implements Clock {
  offset = 0;
  now = () => Date.now() + this.offset;
  sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
}

// Long enough that a busy machine (a paused event loop) does not cost the leader its lease.
const timings = { leaseTtlMs: 1_500, leaseRenewMs: 100, leaseRetryMs: 100 };
const log = pino({ level: 'silent' });
const started: Leadership[] = [];
afterEach(async () => {
  for (const l of started.splice(0)) await l.stop();
});

function campaign(store: LeaseStore, replicaId: string, clock: Clock = new JumpClock()) {
  const signal = localWorkSignal();
  const events: string[] = [];
  const leadership = createLeaseLeadership({ store, signal, replicaId, clock, log, timings });
  leadership.start({
    onElected: (epoch) => events.push(`elected ${epoch}`),
    onDeposed: (reason) => events.push(`deposed: ${reason}`),
  });
  started.push(leadership);
  return { leadership, events, signal };
}

describe('lease leadership', () => {
  it('one replica leads; the others see who', async () => {
    const store = new MemoryLeaseStore();
    const a = campaign(store, 'a');
    await eventually(() => a.leadership.info().isLeader, 'a leads');
    const b = campaign(store, 'b');
    await eventually(() => b.leadership.info().leader === 'a', 'b sees a');
    // Renewals keep it: well past the lease's lifetime, a still leads and b never did.
    await new Promise((r) => setTimeout(r, 2 * timings.leaseTtlMs));
    expect(a.leadership.info()).toEqual({ replicaId: 'a', leader: 'a', epoch: 1, isLeader: true });
    expect(b.leadership.info()).toEqual({ replicaId: 'b', leader: 'a', epoch: 1, isLeader: false });
    expect(b.leadership.currentEpoch()).toBeUndefined();
    expect(a.events).toEqual(['elected 1']);
    expect(b.events).toEqual([]);
  });

  it('a leader that gives the lease up hands over at once, with a higher epoch', async () => {
    const store = new MemoryLeaseStore();
    const signal = localWorkSignal();
    const make = (id: string) => {
      const events: string[] = [];
      const l = createLeaseLeadership({
        store,
        signal,
        replicaId: id,
        clock: new JumpClock(),
        log,
        timings: { ...timings, leaseRetryMs: 60_000 },
      });
      l.start({ onElected: (e) => events.push(`elected ${e}`), onDeposed: () => {} });
      started.push(l);
      return { l, events };
    };
    const a = make('a');
    await eventually(() => a.l.info().isLeader, 'a leads');
    const b = make('b');
    await eventually(() => b.l.info().leader === 'a', 'b sees a');
    // b retries only every minute: only the release signal can make it take over now.
    await a.l.stop();
    await eventually(() => b.l.info().isLeader, 'b took over on the release signal', 2_000);
    expect(b.events).toEqual(['elected 2']);
  });

  it('a leader that cannot reach the database stops trusting its lease before it expires', async () => {
    const store = new MemoryLeaseStore();
    const a = campaign(store, 'a');
    await eventually(() => a.leadership.info().isLeader, 'a leads');
    store.down = true;
    const cut = Date.now();
    await eventually(() => a.leadership.currentEpoch() === undefined, 'a stops trusting');
    const trustedFor = Date.now() - cut;
    expect(trustedFor).toBeLessThan(timings.leaseTtlMs);
    // The deadline timer deposes it (its controller and reconciler stop) right after.
    await eventually(() => a.events.length === 2, 'a deposed');
    expect(a.events).toEqual([
      'elected 1',
      'deposed: the lease could not be renewed before it ran out (is the database reachable?)',
    ]);
    // The lease it held had not run out in the database when it stopped.
    expect((store.lease?.expiresAt ?? 0) - cut).toBeGreaterThan(trustedFor);
    store.down = false;
    await eventually(() => a.leadership.info().isLeader, 'a leads again once it can');
    expect(a.events.at(-1)).toBe('elected 2');
  });

  it('a paused leader distrusts its lease the moment it resumes, before any timer runs', async () => {
    const store = new MemoryLeaseStore();
    const clock = new JumpClock();
    const a = campaign(store, 'a', clock);
    await eventually(() => a.leadership.info().isLeader, 'a leads');
    expect(a.leadership.currentEpoch()).toBe(1);
    clock.offset = timings.leaseTtlMs; // as if SIGSTOP had held it for a whole lease
    expect(a.leadership.currentEpoch()).toBeUndefined();
    expect(a.leadership.info().isLeader).toBe(false);
    await eventually(() => a.events.some((e) => e.startsWith('deposed')), 'a is deposed');
  });

  it('a renewal refused (taken over) deposes at once', async () => {
    const store = new MemoryLeaseStore();
    const a = campaign(store, 'a');
    await eventually(() => a.leadership.info().isLeader, 'a leads');
    store.lease = { holder: 'usurper', epoch: 7, expiresAt: Date.now() + 60_000 };
    await eventually(() => a.events.length === 2, 'a deposed', 1_000);
    expect(a.events[1]).toBe('deposed: the lease expired or another replica took it over');
    expect(a.leadership.info()).toEqual({
      replicaId: 'a',
      leader: null,
      epoch: null,
      isLeader: false,
    });
    await eventually(() => a.leadership.info().leader === 'usurper', 'a sees the new holder');
  });

  it('resign: a refused write deposes at once, and the replica campaigns again', async () => {
    const store = new MemoryLeaseStore();
    const a = campaign(store, 'a');
    await eventually(() => a.leadership.info().isLeader, 'a leads');
    a.leadership.resign('the database refused a write');
    expect(a.leadership.currentEpoch()).toBeUndefined();
    expect(a.events).toEqual(['elected 1', 'deposed: the database refused a write']);
    // Its own lease is still valid in the store; it leads again once that expires.
    await eventually(() => a.leadership.info().isLeader, 'a leads again', 5_000);
    expect(a.events.at(-1)).toBe('elected 2');
  });
});
