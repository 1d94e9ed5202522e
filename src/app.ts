import type { ApplicationFunction } from 'probot';
import { noMetrics, type Metrics, type WebhookOutcome } from './ports/metrics.js';
import type { Clock } from './domain/clock.js';
import { errorFields } from './domain/error-fields.js';
import { recordJobEvent } from './ledger/record-job-event.js';
import type { Ledger } from './ledger/ledger.js';
import type { Refusal } from './status/status-snapshot.js';
import { classifyJob, type ClassifyPolicy } from './webhook/classify-job.js';
import { jobStatusOf, toObservation } from './webhook/to-observation.js';
import { parseWorkflowJobEvent } from './webhook/workflow-job-event.js';

type Handler = Parameters<Parameters<ApplicationFunction>[1]['addHandler']>[0];

export interface AppDeps {
  readonly ledger: Ledger;
  readonly controller: { wake(): void };
  readonly policy: ClassifyPolicy;
  readonly clock: Clock;
  readonly metrics?: Metrics;
  /** Told about every refused `queued` job (for the status page). */
  readonly onRefused?: (refusal: Refusal) => void;
  /** Extra HTTP routes (health, metrics, status). */
  readonly httpHandlers?: readonly Handler[];
}

/**
 * The Probot app: routes `workflow_job` deliveries into the ledger and wakes the controller.
 * It never calls GitHub or Modal, so every delivery is answered at once.
 */
export function createApp(deps: AppDeps): ApplicationFunction {
  const metrics = deps.metrics ?? noMetrics;
  return (app, { addHandler }) => {
    for (const handler of deps.httpHandlers ?? []) addHandler(handler);

    app.on('workflow_job', async (context) => {
      const action = String((context.payload as { action?: unknown }).action ?? '');
      const count = (outcome: WebhookOutcome) => metrics.webhook('workflow_job', action, outcome);
      // Fields for this delivery's log lines. Plain objects, not child loggers: a pino child
      // serializes its bindings when it is made, which in a burst costs every webhook's answer.
      const delivery = { deliveryId: context.id, action: context.payload.action };
      const parsed = parseWorkflowJobEvent(context.payload);
      if (!parsed.ok) {
        context.log.warn(
          { ...delivery, reason: parsed.reason },
          'ignored malformed workflow_job delivery',
        );
        count('malformed');
        return;
      }
      const event = parsed.event;
      const job = {
        ...delivery,
        jobId: event.workflow_job.id,
        runId: event.workflow_job.run_id,
        repo: event.repository.full_name,
      };
      const log = context.log;
      const classified = classifyJob(event, deps.policy);
      if (classified.kind === 'ignored') {
        log.debug({ ...job, reason: classified.reason }, 'job is not for us');
        count('ignored');
        return;
      }
      if (classified.kind === 'refused') {
        if (event.action === 'queued') {
          log.warn({ ...job, reason: classified.reason }, 'job refused');
          deps.onRefused?.({
            at: deps.clock.now(),
            repo: event.repository.full_name,
            jobId: event.workflow_job.id,
            reason: classified.reason,
          });
        }
        count('refused');
        return;
      }
      const status = jobStatusOf(event);
      if (status === undefined) {
        log.warn(
          { ...job, status: event.workflow_job.status },
          'unknown workflow_job status; ignored',
        );
        count('malformed');
        return;
      }
      try {
        const result = await recordJobEvent(
          deps.ledger,
          toObservation(event, status, classified, deps.clock.now()),
        );
        const recorded = result.job;
        if (
          result.changed &&
          recorded.status === 'in_progress' &&
          recorded.queuedAt !== null &&
          recorded.startedAt !== null
        ) {
          metrics.jobStarted(recorded.runnerClass, recorded.startedAt - recorded.queuedAt);
        }
        count('recorded');
        log.info(
          {
            ...job,
            class: classified.runnerClass.name,
            status: recorded.status,
            runnerName: recorded.runnerName,
            changed: result.changed,
          },
          'job recorded',
        );
      } catch (error) {
        // Answer 500 so that the delivery shows as failed and can be redelivered.
        log.error({ ...job, err: errorFields(error) }, 'could not record the job');
        count('failed');
        metrics.error('ledger');
        throw error;
      }
      deps.controller.wake();
    });
  };
}
