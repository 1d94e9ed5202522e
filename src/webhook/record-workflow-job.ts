import type { Logger } from 'pino';
import type { Clock } from '../domain/clock.js';
import { errorFields } from '../domain/error-fields.js';
import type { RunnerScope } from '../domain/runner-scope.js';
import type { Ledger } from '../ledger/ledger.js';
import { recordJobEvent } from '../ledger/record-job-event.js';
import type { Metrics } from '../ports/metrics.js';
import type { RecordedSummary } from './recorded-summary.js';
import { jobStatusOf, toObservation } from './to-observation.js';
import type { WorkflowJobEvent } from './workflow-job-event.js';

export interface RecordDeps {
  readonly ledger: Ledger;
  readonly clock: Clock;
  readonly metrics: Metrics;
  /** Counts what is recorded for a periodic info line (each delivery is logged at debug). */
  readonly summary?: RecordedSummary;
}

/** Where the job goes: its class, the scope its runners register in, the installation. */
export interface JobTarget {
  readonly runnerClass: { readonly name: string };
  readonly scope: RunnerScope;
  readonly installationId: number;
  /** A job of another class or owner that took one of our runners. */
  readonly foreign?: boolean;
}

export type RecordOutcome = 'recorded' | 'unchanged' | 'malformed';

/**
 * Writes what a delivery says about a job (and about the runner that took it) to the ledger.
 * A ledger failure is thrown, so that Probot answers 500 and the delivery can be redelivered.
 */
export async function recordWorkflowJob(
  deps: RecordDeps,
  event: WorkflowJobEvent,
  target: JobTarget,
  log: Logger,
  fields: Record<string, unknown>,
): Promise<RecordOutcome> {
  const status = jobStatusOf(event);
  if (status === undefined) {
    log.warn(
      { ...fields, status: event.workflow_job.status },
      'unknown workflow_job status; ignored',
    );
    return 'malformed';
  }
  try {
    const observation = {
      ...toObservation(event, status, target, deps.clock.now()),
      ...(target.foreign ? { foreign: true } : {}),
    };
    const result = await recordJobEvent(deps.ledger, observation);
    const recorded = result.job;
    if (result.changed && recorded.foreign && recorded.createdAt === observation.at) {
      deps.metrics.foreignJob(recorded.runnerClass);
    }
    if (
      result.changed &&
      !recorded.foreign &&
      recorded.status === 'in_progress' &&
      recorded.queuedAt !== null &&
      recorded.startedAt !== null
    ) {
      deps.metrics.jobStarted(recorded.runnerClass, recorded.startedAt - recorded.queuedAt);
    }
    const message = recorded.foreign
      ? 'a job we did not launch for took one of our runners'
      : 'job recorded';
    if (result.changed) deps.summary?.note(recorded.status);
    (recorded.foreign ? log.warn.bind(log) : log.debug.bind(log))(
      {
        ...fields,
        class: target.runnerClass.name,
        status: recorded.status,
        runnerName: recorded.runnerName,
        changed: result.changed,
      },
      message,
    );
    return result.changed ? 'recorded' : 'unchanged';
  } catch (error) {
    log.error({ ...fields, err: errorFields(error) }, 'could not record the job');
    deps.metrics.error('ledger');
    throw error;
  }
}

/**
 * The target of a job that is not ours but names one of our runners: GitHub gave a runner to a
 * job of another class, `runs-on: self-hosted`, or a refused repository. Recorded so that the
 * runner counts as busy (never retired while it runs someone's job) and the status page can say
 * so. Undefined when the delivery names no runner of ours.
 */
export async function foreignTarget(
  ledger: Ledger,
  event: WorkflowJobEvent,
): Promise<JobTarget | undefined> {
  const name = event.workflow_job.runner_name;
  const status = event.workflow_job.status;
  if (!name || (status !== 'in_progress' && status !== 'completed')) return undefined;
  const runner = await ledger.getRunner(name);
  if (runner === undefined) return undefined;
  return {
    runnerClass: { name: runner.runnerClass },
    scope: runner.scope,
    installationId: event.installation?.id ?? runner.installationId,
    foreign: true,
  };
}
