import { LIVE_RUNNER_STATES, SUPPLY_RUNNER_STATES } from '../domain/runner-state.js';
import type { JobRecord, RunnerRecord } from '../ledger/ledger.js';

export interface PlanCaps {
  /** Live sandboxes across all classes. */
  readonly maxRunners: number;
  /** Per-class caps; a class without an entry is bounded only by `maxRunners`. */
  readonly classMaxRunners: ReadonlyMap<string, number>;
  /** A runner not needed by any queued job is retired once it has been unneeded this long. */
  readonly idleGraceMs: number;
  /** A runner that has not come online (or taken a job) this long after launch is retired. */
  readonly bootTimeoutMs: number;
  /** Warm pools per class (classes without an entry keep none). */
  readonly warmPools?: ReadonlyMap<string, WarmPool>;
}

export interface WarmPool {
  /** Booted sandboxes to keep waiting for a job. */
  readonly size: number;
  /**
   * A warm sandbox this old is recycled rather than used, so that a job never gets a sandbox
   * near the end of its lifetime.
   */
  readonly maxAgeMs: number;
}

export interface PlanSnapshot {
  /** Jobs in status `queued`. */
  readonly queuedJobs: readonly JobRecord[];
  /** Runners in a live state. */
  readonly runners: readonly RunnerRecord[];
  /** Runners with an action already in flight; the plan leaves them alone. */
  readonly inFlight: ReadonlySet<string>;
}

export type Action =
  /** Launch a runner for the job: in a warm sandbox when `warm` is set, else a new one. */
  | { readonly kind: 'launch'; readonly job: JobRecord; readonly warm?: RunnerRecord }
  /** Boot a sandbox for the class's warm pool. */
  | { readonly kind: 'warm'; readonly runnerClass: string }
  /** Shut down the sandbox of a runner whose job completed. */
  | { readonly kind: 'terminate'; readonly runner: RunnerRecord; readonly reason: string }
  /** Delete the registration of a runner nobody needs, then its sandbox. */
  | { readonly kind: 'retire'; readonly runner: RunnerRecord; readonly reason: string };

/**
 * Why an uncovered job gets no launch: the caps or its backoff (decided by the plan), or an
 * upstream whose circuit breaker is open (decided when the launch would be dispatched).
 */
export type WaitReason = 'cap' | 'class-cap' | 'backoff' | 'github-down' | 'modal-down';

export interface Plan {
  readonly actions: readonly Action[];
  /** Uncovered jobs that get no launch this time, and why. */
  readonly waiting: ReadonlyMap<number, WaitReason>;
}

const live = new Set(LIVE_RUNNER_STATES);
const supply = new Set(SUPPLY_RUNNER_STATES);

/**
 * Decides what to do next. Pure: everything it needs is in its arguments.
 *
 * Per class, `deficit = queued jobs − runners launching, booting or idle`. A runner covers the
 * job it was launched for while it can still take a job; spare supply covers the others in
 * fair order. Uncovered jobs launch in round-robin order by repository (FIFO inside one), so a
 * burst from one repository cannot starve the rest, within `maxRunners` and class caps.
 */
export function plan(snapshot: PlanSnapshot, caps: PlanCaps, now: number): Plan {
  const actions: Action[] = [];
  const waiting = new Map<number, WaitReason>();

  for (const runner of snapshot.runners) {
    if (runner.state === 'finishing' && !snapshot.inFlight.has(runner.name)) {
      actions.push({ kind: 'terminate', runner, reason: 'job completed' });
    }
  }

  const retiring = retirements(snapshot, caps, now);
  actions.push(...retiring);
  const retired = new Set(retiring.map((a) => ('runner' in a ? a.runner.name : '')));

  const liveRunners = snapshot.runners.filter((r) => live.has(r.state));
  const liveByClass = countBy(liveRunners, (r) => r.runnerClass);
  let slots = caps.maxRunners - liveRunners.length;
  const classSlots = new Map<string, number>();
  for (const [name, max] of caps.classMaxRunners) {
    classSlots.set(name, max - (liveByClass.get(name) ?? 0));
  }

  // Warm sandboxes ready to take a job, oldest first; stale ones are recycled.
  const warmReady = new Map<string, RunnerRecord[]>();
  const warmCount = new Map<string, number>();
  const warmRunners = snapshot.runners
    .filter((r) => r.state === 'warm')
    .sort((a, b) => a.createdAt - b.createdAt);
  for (const runner of warmRunners) {
    if (snapshot.inFlight.has(runner.name)) {
      warmCount.set(runner.runnerClass, (warmCount.get(runner.runnerClass) ?? 0) + 1);
      continue;
    }
    const pool = caps.warmPools?.get(runner.runnerClass);
    const have = warmCount.get(runner.runnerClass) ?? 0;
    const stale = now - runner.createdAt >= (pool?.maxAgeMs ?? 0);
    if (runner.sandboxId === null || stale || have >= (pool?.size ?? 0)) {
      const reason =
        runner.sandboxId === null
          ? 'warm sandbox creation was interrupted'
          : have >= (pool?.size ?? 0)
            ? 'warm pool shrunk'
            : 'warm sandbox recycled';
      actions.push({ kind: 'terminate', runner, reason });
      continue;
    }
    warmCount.set(runner.runnerClass, have + 1);
    const ready = warmReady.get(runner.runnerClass) ?? [];
    ready.push(runner);
    warmReady.set(runner.runnerClass, ready);
  }

  // Retired runners stop being supply at once, but their sandboxes count against the caps
  // until they are gone.
  const uncovered = uncoveredJobs(snapshot, retired);
  // Already in fair order: the order of the whole queue, less the jobs that have a runner.
  for (const job of uncovered) {
    if (job.nextAttemptAt > now) {
      waiting.set(job.id, 'backoff');
      continue;
    }
    // A warm sandbox already counts against the caps: taking it needs no slot.
    const warm = warmReady.get(job.runnerClass)?.shift();
    if (warm !== undefined) {
      warmCount.set(job.runnerClass, (warmCount.get(job.runnerClass) ?? 1) - 1);
      actions.push({ kind: 'launch', job, warm });
      continue;
    }
    const classLeft = classSlots.get(job.runnerClass) ?? Infinity;
    if (slots <= 0) {
      waiting.set(job.id, 'cap');
      continue;
    }
    if (classLeft <= 0) {
      waiting.set(job.id, 'class-cap');
      continue;
    }
    actions.push({ kind: 'launch', job });
    slots -= 1;
    if (classSlots.has(job.runnerClass)) classSlots.set(job.runnerClass, classLeft - 1);
  }

  // Then refill the warm pools with what the caps leave.
  for (const [runnerClass, pool] of caps.warmPools ?? []) {
    for (let have = warmCount.get(runnerClass) ?? 0; have < pool.size; have++) {
      const classLeft = classSlots.get(runnerClass) ?? Infinity;
      if (slots <= 0 || classLeft <= 0) break;
      actions.push({ kind: 'warm', runnerClass });
      slots -= 1;
      if (classSlots.has(runnerClass)) classSlots.set(runnerClass, classLeft - 1);
    }
  }
  return { actions, waiting };
}

/** Runners past their boot timeout, and supply beyond what queued jobs need. */
function retirements(snapshot: PlanSnapshot, caps: PlanCaps, now: number): Action[] {
  const actions: Action[] = [];
  const retired = new Set<string>();
  const candidates = snapshot.runners.filter(
    (r) => supply.has(r.state) && r.state !== 'launching' && !snapshot.inFlight.has(r.name),
  );
  for (const runner of candidates) {
    // A retirement that failed touched the runner (updatedAt): it waits the grace again rather
    // than being retried in a loop.
    if (
      runner.state === 'booting' &&
      now - runner.createdAt >= caps.bootTimeoutMs &&
      now - runner.updatedAt >= caps.idleGraceMs
    ) {
      actions.push({
        kind: 'retire',
        runner,
        reason: 'did not come online within the boot timeout',
      });
      retired.add(runner.name);
    }
  }
  const queuedByClass = countBy(snapshot.queuedJobs, (j) => j.runnerClass);
  const supplyByClass = countBy(
    snapshot.runners.filter((r) => supply.has(r.state) && !retired.has(r.name)),
    (r) => r.runnerClass,
  );
  for (const [runnerClass, count] of supplyByClass) {
    let surplus = count - (queuedByClass.get(runnerClass) ?? 0);
    // Most plans find no surplus (a burst's runners all have jobs): skip finding the spare ones.
    if (surplus <= 0) continue;
    const spare = candidates
      .filter(
        (r) =>
          r.runnerClass === runnerClass &&
          !retired.has(r.name) &&
          now - r.updatedAt >= caps.idleGraceMs,
      )
      .sort((a, b) => a.createdAt - b.createdAt);
    for (const runner of spare) {
      if (surplus <= 0) break;
      actions.push({ kind: 'retire', runner, reason: 'no queued job needs it' });
      surplus -= 1;
    }
  }
  return actions;
}

/** Queued jobs that no runner able to take a job is meant for, in fair order. */
function uncoveredJobs(snapshot: PlanSnapshot, retired: ReadonlySet<string>): JobRecord[] {
  const queuedIds = new Set(snapshot.queuedJobs.map((j) => j.id));
  const spare = new Map<string, number>();
  const covered = new Set<number>();
  for (const runner of snapshot.runners) {
    if (!supply.has(runner.state) || retired.has(runner.name)) continue;
    const forJob = runner.launchedForJobId;
    if (forJob !== null && queuedIds.has(forJob) && !covered.has(forJob)) {
      covered.add(forJob);
    } else {
      spare.set(runner.runnerClass, (spare.get(runner.runnerClass) ?? 0) + 1);
    }
  }
  const result: JobRecord[] = [];
  for (const job of fairOrder(snapshot.queuedJobs.filter((j) => !covered.has(j.id)))) {
    const left = spare.get(job.runnerClass) ?? 0;
    if (left > 0) spare.set(job.runnerClass, left - 1);
    else result.push(job);
  }
  return result;
}

/** Round-robin by repository, oldest first inside one repository and within a round. */
export function fairOrder(jobs: readonly JobRecord[]): JobRecord[] {
  // One sort by age (none when the ledger already listed them oldest first, as it usually
  // does); dealing the sorted jobs into rounds (a repository's n-th job goes to round n) keeps
  // every round sorted by age too, so the rounds only need concatenating.
  const sorted = isSortedByAge(jobs) ? jobs : [...jobs].sort(byAge);
  const rounds: JobRecord[][] = [];
  const dealt = new Map<string, { next: number }>();
  for (const job of sorted) {
    let repo = dealt.get(job.repo);
    if (repo === undefined) dealt.set(job.repo, (repo = { next: 0 }));
    (rounds[repo.next++] ??= []).push(job);
  }
  return rounds.length === 1 ? (rounds[0] as JobRecord[]) : rounds.flat();
}

function isSortedByAge(jobs: readonly JobRecord[]): boolean {
  for (let i = 1; i < jobs.length; i++) {
    if (byAge(jobs[i - 1] as JobRecord, jobs[i] as JobRecord) > 0) return false;
  }
  return true;
}

function byAge(a: JobRecord, b: JobRecord): number {
  return (a.queuedAt ?? a.createdAt) - (b.queuedAt ?? b.createdAt) || a.id - b.id;
}

function countBy<T>(items: readonly T[], key: (item: T) => string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const item of items) counts.set(key(item), (counts.get(key(item)) ?? 0) + 1);
  return counts;
}
