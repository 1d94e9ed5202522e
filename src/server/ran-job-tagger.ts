import type { Logger } from 'pino';
import type { ModalClient } from 'modal';
import type { Config } from '../config/config.js';
import type { Clock } from '../domain/clock.js';
import { createSandboxJobRecords } from '../modal/sandbox-job-records.js';
import type { SandboxPlatform } from '../ports/sandbox-platform.js';
import { createRanJobTagger, type RanJobTagger } from '../reconciler/tag-ran-jobs.js';

/** The tagger of the jobs sandboxes ran, over this deployment's sandboxes on Modal. */
export function ranJobTaggerFor(
  config: Config,
  deps: {
    readonly platform: Pick<SandboxPlatform, 'list'>;
    readonly modalClient: ModalClient;
    readonly clock: Clock;
    readonly log: Logger;
  },
): RanJobTagger {
  const { jobRecords } = config.timings;
  return createRanJobTagger({
    listSandboxes: () => deps.platform.list(config.deployment.id),
    records: createSandboxJobRecords(deps.modalClient),
    now: () => deps.clock.now(),
    log: deps.log.child({ name: 'job-records' }),
    rereadMs: jobRecords.rereadMs,
    maxReads: jobRecords.maxReads,
  });
}
