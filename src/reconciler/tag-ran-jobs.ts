import type { Logger } from 'pino';
import { errorFields } from '../domain/error-fields.js';
import type { RanJob, SandboxTags } from '../domain/sandbox-tags.js';
import type { SandboxJobRecords } from '../modal/sandbox-job-records.js';
import type { SandboxInfo } from '../ports/sandbox-platform.js';
import { parseJobRecord } from './job-record.js';

/**
 * Writes into each running sandbox's tags the job its runner ran, as the runner's job hook
 * recorded it in the sandbox (`src/modal/runner-job-hook.ts`): so Modal's own listing and
 * billing by tag say which job a sandbox ran, even when the webhooks were lost or the sandbox
 * was a warm one launched before any job.
 */
export interface RanJobTagger {
  tick(): Promise<TaggerReport>;
}

export interface TaggerReport {
  readonly read: number;
  readonly tagged: number;
  readonly failed: number;
}

export interface RanJobTaggerDeps {
  readonly listSandboxes: () => Promise<readonly SandboxInfo[]>;
  readonly records: SandboxJobRecords;
  readonly now: () => number;
  readonly log: Logger;
  /** A sandbox read without a record is read again after this long. */
  readonly rereadMs: number;
  /** Reads per tick at most (each is one exec in a sandbox). */
  readonly maxReads: number;
  /**
   * The job's numeric ID, asked of GitHub once per sandbox (the hook cannot know it); a failure
   * leaves it out of the tags.
   */
  readonly findJobId?: (ran: RanJob, tags: SandboxTags) => Promise<number | undefined>;
}

/**
 * The sandboxes to read now: ours, not yet tagged with the job they ran, not read in the last
 * `rereadMs`; at most `max`, the least recently read first. Pure.
 */
export function sandboxesToRead(
  listed: readonly SandboxInfo[],
  lastRead: ReadonlyMap<string, number>,
  now: number,
  options: { readonly rereadMs: number; readonly max: number },
): { sandboxId: string; tags: SandboxTags }[] {
  const due: { sandboxId: string; tags: SandboxTags; at: number }[] = [];
  for (const { sandboxId, tags } of listed) {
    if (!tags || tags.ranJob) continue;
    const at = lastRead.get(sandboxId) ?? -Infinity;
    if (now - at < options.rereadMs) continue;
    due.push({ sandboxId, tags, at });
  }
  return due
    .sort((a, b) => a.at - b.at)
    .slice(0, options.max)
    .map(({ sandboxId, tags }) => ({ sandboxId, tags }));
}

async function findJobId(
  deps: RanJobTaggerDeps,
  ran: RanJob,
  tags: SandboxTags,
): Promise<number | undefined> {
  try {
    return await deps.findJobId?.(ran, tags);
  } catch (error) {
    deps.log.warn(
      { runnerName: tags.runnerName, ranJob: ran, err: errorFields(error) },
      'could not find the ID of the job a runner ran; its sandbox is tagged without it',
    );
    return undefined;
  }
}

export function createRanJobTagger(deps: RanJobTaggerDeps): RanJobTagger {
  const lastRead = new Map<string, number>();
  return {
    async tick() {
      const listed = await deps.listSandboxes();
      const live = new Set(listed.map((s) => s.sandboxId));
      for (const id of lastRead.keys()) if (!live.has(id)) lastRead.delete(id);
      const todo = sandboxesToRead(listed, lastRead, deps.now(), {
        rereadMs: deps.rereadMs,
        max: deps.maxReads,
      });
      let tagged = 0;
      let failed = 0;
      for (const { sandboxId, tags } of todo) {
        lastRead.set(sandboxId, deps.now());
        try {
          const record = parseJobRecord((await deps.records.read(sandboxId)) ?? '');
          if (!record) continue;
          const { completed: _completed, ...reported } = record;
          const jobId = await findJobId(deps, reported, tags);
          const ranJob = { ...reported, ...(jobId !== undefined ? { jobId } : {}) };
          await deps.records.setTags(sandboxId, { ...tags, ranJob });
          tagged += 1;
          deps.log.info(
            { sandboxId, runnerName: tags.runnerName, ranJob, launchedFor: tags.jobId },
            'tagged a sandbox with the job its runner ran',
          );
        } catch (error) {
          failed += 1;
          deps.log.warn(
            { sandboxId, runnerName: tags.runnerName, err: errorFields(error) },
            'could not read or tag the job a sandbox ran; trying again later',
          );
        }
      }
      return { read: todo.length, tagged, failed };
    },
  };
}
