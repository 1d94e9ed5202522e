import type { Logger } from 'pino';
import type { ModalClient } from 'modal';
import type { Config } from '../config/config.js';
import type { Clock } from '../domain/clock.js';
import type { RanJob, SandboxTags } from '../domain/sandbox-tags.js';
import { findRunJobId } from '../github/find-run-job.js';
import { createSandboxJobRecords } from '../modal/sandbox-job-records.js';
import type { SandboxPlatform } from '../ports/sandbox-platform.js';
import { createRanJobTagger, type RanJobTagger } from '../reconciler/tag-ran-jobs.js';
import type { GitHubServices } from './build-github.js';

/** The tagger of the jobs sandboxes ran, over this deployment's sandboxes on Modal. */
export function ranJobTaggerFor(
  config: Config,
  deps: {
    readonly platform: Pick<SandboxPlatform, 'list'>;
    readonly modalClient: ModalClient;
    readonly github: Pick<GitHubServices, 'installationOctokit' | 'observer'>;
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
    findJobId: (ran, tags) => findJobIdThrough(deps.github, ran, tags),
  });
}

/** Through the installation the sandbox was launched with, else the one on the repository's owner. */
async function findJobIdThrough(
  github: Pick<GitHubServices, 'installationOctokit' | 'observer'>,
  ran: RanJob,
  tags: SandboxTags,
): Promise<number | undefined> {
  const owner = ran.repo.split('/')[0];
  const installationId =
    tags.installationId ??
    (await github.observer.listInstallations()).find((i) => i.account === owner)?.id;
  if (installationId === undefined) return undefined;
  return findRunJobId(await github.installationOctokit(installationId), ran, tags.runnerName);
}
