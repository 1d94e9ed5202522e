import { errorFields } from '../domain/error-fields.js';
import { JOB_STATUS_ORDER, jobStatusFromGitHub, type JobStatus } from '../domain/job-status.js';
import { LIVE_RUNNER_STATES } from '../domain/runner-state.js';
import type { JobRecord } from '../ledger/ledger.js';
import { recordJobEvent } from '../ledger/record-job-event.js';
import type { ApiBudget } from './api-budget.js';
import type { ReconcilerContext } from './reconciler-context.js';

/** However many checks a job has had, it is looked at again at least this often. */
const MAX_RECHECK_MS = 3_600_000;

/**
 * Jobs we still think open long after they should have moved on: queued or waiting ones, and
 * running ones whose runner is no longer live (their `completed` webhook may have been lost).
 * Asks GitHub about the ones longest unchecked, each at most every `staleJobRecheckMs`, doubling
 * per check up to an hour. Returns how many were checked and how many GitHub shows moved on.
 */
export async function refreshStaleJobs(
  ctx: ReconcilerContext,
  budget: ApiBudget,
  now: number,
): Promise<{ readonly checked: number; readonly closed: number }> {
  const { lastJobCheck } = ctx.memory;
  const liveRunners = new Set(
    (await ctx.ledger.listRunners(LIVE_RUNNER_STATES)).map((r) => r.name),
  );
  const open = await ctx.ledger.listJobs(['queued', 'waiting', 'in_progress']);
  const stale = open.filter(
    (j) =>
      now - (j.queuedAt ?? j.createdAt) >= ctx.settings.staleJobMs &&
      (j.status !== 'in_progress' || j.runnerName === null || !liveRunners.has(j.runnerName)),
  );
  const due = stale
    .filter((j) => {
      const last = lastJobCheck.get(j.id);
      if (last === undefined) return true;
      const wait = Math.min(
        MAX_RECHECK_MS,
        ctx.settings.staleJobRecheckMs * 2 ** (last.checks - 1),
      );
      return now - last.at >= wait;
    })
    .sort((a, b) => (lastJobCheck.get(a.id)?.at ?? 0) - (lastJobCheck.get(b.id)?.at ?? 0));
  let checked = 0;
  let closed = 0;
  for (const job of due) {
    if (!budget.spend(`check job ${job.id}`)) break;
    lastJobCheck.set(job.id, { at: now, checks: (lastJobCheck.get(job.id)?.checks ?? 0) + 1 });
    checked += 1;
    try {
      if (await refreshJob(ctx, job, now)) closed += 1;
    } catch (error) {
      ctx.log.warn(
        { err: errorFields(error), jobId: job.id, repo: job.repo },
        'could not check job',
      );
    }
  }
  const staleIds = new Set(stale.map((j) => j.id));
  for (const id of lastJobCheck.keys()) if (!staleIds.has(id)) lastJobCheck.delete(id);
  return { checked, closed };
}

/** True when GitHub says the job is no longer waiting for a runner. */
async function refreshJob(ctx: ReconcilerContext, job: JobRecord, now: number): Promise<boolean> {
  const seen = await ctx.github.getJob({
    installationId: job.installationId,
    repo: job.repo,
    jobId: job.id,
  });
  // A job GitHub no longer has (its repository deleted, or it aged out) is over.
  const status: JobStatus | undefined =
    seen === undefined ? 'completed' : jobStatusFromGitHub(seen.status);
  if (status === undefined) {
    ctx.log.warn(
      { jobId: job.id, repo: job.repo, status: seen?.status },
      'GitHub shows a job status this version does not know; job left as it was',
    );
    return false;
  }
  if (JOB_STATUS_ORDER[status] <= JOB_STATUS_ORDER[job.status]) return false;
  await recordJobEvent(ctx.ledger, {
    ...job,
    status,
    conclusion: seen?.conclusion ?? (seen === undefined ? 'missing' : null),
    runnerName: seen?.runnerName ?? null,
    at: now,
  });
  ctx.log.info({ jobId: job.id, repo: job.repo, status }, 'job state caught up from GitHub');
  return status === 'completed' || (status === 'in_progress' && job.status !== 'in_progress');
}
