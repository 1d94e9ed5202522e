import { SUPPLY_RUNNER_STATES } from '../domain/runner-state.js';
import type { JobRecord } from '../ledger/ledger.js';
import { capacityFor } from './plan-capacity.js';
import type { Action, Plan, PlanCaps, PlanSnapshot, WaitReason } from './plan-types.js';
import { warmPoolsFor } from './plan-warm-pool.js';

export type { Action, Plan, PlanCaps, PlanSnapshot, WaitReason, WarmPool } from './plan-types.js';

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
  const capacity = capacityFor(snapshot.runners, caps);
  const warm = warmPoolsFor(snapshot, caps, now);
  actions.push(...warm.recycle);

  // Retired runners stop being supply at once, but their sandboxes count against the caps
  // until they are gone. Already in fair order: the whole queue's, less covered jobs.
  for (const job of uncoveredJobs(snapshot, retired)) {
    if (job.nextAttemptAt > now) {
      waiting.set(job.id, 'backoff');
      continue;
    }
    // A warm sandbox already counts against the caps: taking it needs no slot.
    const ready = warm.take(job.runnerClass);
    if (ready !== undefined) {
      actions.push({ kind: 'launch', job, warm: ready });
      continue;
    }
    const full = capacity.take(job.runnerClass);
    if (full !== undefined) waiting.set(job.id, full);
    else actions.push({ kind: 'launch', job });
  }

  // Then refill the warm pools with what the caps leave.
  for (const runnerClass of caps.warmPools?.keys() ?? []) {
    for (let n = warm.missing(runnerClass); n > 0; n--) {
      if (capacity.take(runnerClass) !== undefined) break;
      actions.push({ kind: 'warm', runnerClass });
    }
  }
  let capped = false;
  for (const reason of waiting.values()) if (reason === 'cap') capped = true;
  return { actions, waiting, saturated: capped && warm.readyLeft() === 0 };
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
