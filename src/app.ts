import type { Logger } from 'pino';
import type { ApplicationFunction } from 'probot';
import { noMetrics, type Metrics, type WebhookOutcome } from './ports/metrics.js';
import type { Clock } from './domain/clock.js';
import type { Ledger } from './ledger/ledger.js';
import type { Refusal } from './status/status-snapshot.js';
import { classifyJob, type ClassifyPolicy } from './webhook/classify-job.js';
import { foreignTarget, recordWorkflowJob, type JobTarget } from './webhook/record-workflow-job.js';
import { createRecordedSummary } from './webhook/recorded-summary.js';
import { parseWorkflowJobEvent } from './webhook/workflow-job-event.js';

type Handler = Parameters<Parameters<ApplicationFunction>[1]['addHandler']>[0];

export interface AppDeps {
  readonly ledger: Ledger;
  readonly controller: { wake(): void; jobQueued(): void };
  /** The server's logger, for the periodic summary of recorded deliveries. */
  readonly log?: Logger;
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
  const recordDeps = {
    ledger: deps.ledger,
    clock: deps.clock,
    metrics,
    ...(deps.log ? { summary: createRecordedSummary(deps.log, deps.clock) } : {}),
  };
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
      let target: JobTarget | undefined;
      if (classified.kind === 'ours') {
        target = classified;
      } else {
        if (classified.kind === 'ignored') {
          log.debug({ ...job, reason: classified.reason }, 'job is not for us');
        } else if (event.action === 'queued') {
          log.warn({ ...job, reason: classified.reason }, 'job refused');
          deps.onRefused?.({
            at: deps.clock.now(),
            repo: event.repository.full_name,
            jobId: event.workflow_job.id,
            reason: classified.reason,
          });
        }
        // Not ours, unless it took one of our runners: then the runner is busy with it.
        target = await foreignTarget(deps.ledger, event);
        if (target === undefined) {
          count(classified.kind);
          return;
        }
      }
      let outcome;
      try {
        outcome = await recordWorkflowJob(recordDeps, event, target, log, job);
      } catch (error) {
        // Answer 500 so that the delivery shows as failed and can be redelivered.
        count('failed');
        throw error;
      }
      count(outcome === 'malformed' ? 'malformed' : 'recorded');
      // A delivery that changed nothing (a duplicate, a late one) needs no plan.
      if (outcome !== 'recorded') return;
      if (event.workflow_job.status === 'queued' && !target.foreign) deps.controller.jobQueued();
      else deps.controller.wake();
    });
  };
}
