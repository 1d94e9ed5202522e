import type { JobObservation } from '../ledger/ledger.js';
import { jobStatusFromGitHub, type JobStatus } from '../domain/job-status.js';
import type { RunnerScope } from '../domain/runner-scope.js';
import type { WorkflowJobEvent } from './workflow-job-event.js';

/**
 * What a `workflow_job` delivery says about the job's state. The `status` field wins over the
 * action: GitHub sends `action: queued` with `status: waiting` for jobs held by an approval gate.
 */
export function jobStatusOf(event: WorkflowJobEvent): JobStatus | undefined {
  return jobStatusFromGitHub(event.workflow_job.status);
}

export function toObservation(
  event: WorkflowJobEvent,
  status: JobStatus,
  classified: {
    readonly runnerClass: { readonly name: string };
    readonly scope: RunnerScope;
    readonly installationId: number;
  },
  at: number,
): JobObservation {
  const job = event.workflow_job;
  return {
    id: job.id,
    runId: job.run_id,
    runAttempt: job.run_attempt,
    repo: event.repository.full_name,
    org: event.organization?.login ?? event.repository.owner.login,
    installationId: classified.installationId,
    labels: job.labels,
    runnerClass: classified.runnerClass.name,
    scope: classified.scope,
    status,
    conclusion: job.conclusion ?? null,
    runnerName: job.runner_name ? job.runner_name : null,
    at,
  };
}
