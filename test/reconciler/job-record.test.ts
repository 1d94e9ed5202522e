import { describe, expect, it } from '@jest/globals';
import { parseJobRecord } from '../../src/reconciler/job-record.js';
import { pino } from 'pino';
import { createRanJobTagger, sandboxesToRead } from '../../src/reconciler/tag-ran-jobs.js';
import type { SandboxTags } from '../../src/domain/sandbox-tags.js';

const line = (event: string, job = 'build', runId = 5) =>
  `event=${event} repo=acme/api run_id=${runId} run_attempt=1 job=${job}`;

describe('parseJobRecord (pure)', () => {
  it('is undefined until the job has started', () => {
    expect(parseJobRecord('')).toBeUndefined();
    expect(parseJobRecord(line('completed'))).toBeUndefined();
  });

  it('takes the first started job, and whether the same job completed', () => {
    expect(parseJobRecord(`${line('started')}\n`)).toEqual({
      repo: 'acme/api',
      runId: 5,
      runAttempt: 1,
      job: 'build',
      completed: false,
    });
    const text = [line('started'), line('started', 'other', 6), line('completed')].join('\n');
    expect(parseJobRecord(text)).toMatchObject({ job: 'build', completed: true });
    expect(parseJobRecord([line('started'), line('completed', 'other')].join('\n'))).toMatchObject({
      completed: false,
    });
  });

  it('accepts only well-formed values (the job could write the file too)', () => {
    for (const bad of [
      'event=started repo=acme/api run_id=5 run_attempt=1 job=a b',
      'event=started repo=acme/api;rm run_id=5 run_attempt=1 job=build',
      'event=started repo=acme/api run_id=-5 run_attempt=1 job=build',
      `event=started repo=acme/api run_id=5 run_attempt=1 job=${'x'.repeat(101)}`,
      'event=started repo=acme run_id=5 run_attempt=1 job=build',
      'event=started repo=acme/api run_id= run_attempt=1 job=build',
    ]) {
      expect(parseJobRecord(bad)).toBeUndefined();
    }
  });
});

describe('sandboxesToRead (pure)', () => {
  const tags = (name: string, extra: Partial<SandboxTags> = {}): SandboxTags => ({
    managedBy: 'm',
    runnerName: name,
    runnerClass: 'modal',
    warm: false,
    ...extra,
  });
  const ranJob = { repo: 'acme/api', runId: 1, runAttempt: 1, job: 'build' };

  it('reads untagged sandboxes of ours, not recently read, least recently read first, at most max', () => {
    const listed = [
      { sandboxId: 'sb-a', tags: tags('a') },
      { sandboxId: 'sb-b', tags: tags('b', { ranJob }) },
      { sandboxId: 'sb-c', tags: undefined },
      { sandboxId: 'sb-d', tags: tags('d') },
      { sandboxId: 'sb-e', tags: tags('e') },
    ];
    const lastRead = new Map([
      ['sb-a', 900],
      ['sb-d', 100],
    ]);
    const ids = (max: number) =>
      sandboxesToRead(listed, lastRead, 1000, { rereadMs: 500, max }).map((s) => s.sandboxId);
    expect(ids(10)).toEqual(['sb-e', 'sb-d']);
    expect(ids(1)).toEqual(['sb-e']);
  });
});

describe('createRanJobTagger', () => {
  const base: SandboxTags = { managedBy: 'm', runnerName: 'r1', runnerClass: 'modal', warm: true };

  function world(findJobId: () => Promise<number | undefined>) {
    const listed: { sandboxId: string; tags: SandboxTags | undefined }[] = [
      { sandboxId: 'sb-1', tags: base },
    ];
    const written: { sandboxId: string; tags: SandboxTags }[] = [];
    let now = 0;
    const tagger = createRanJobTagger({
      listSandboxes: async () => listed,
      records: {
        read: async () => `${line('started')}\n`,
        setTags: async (sandboxId, tags) => {
          written.push({ sandboxId, tags });
          listed[0] = { sandboxId, tags };
        },
      },
      now: () => now,
      log: pino({ level: 'silent' }),
      rereadMs: 1000,
      maxReads: 10,
      findJobId,
    });
    return { tagger, written, advance: (ms: number) => (now += ms) };
  }

  it('tags the job with its ID, then reads the sandbox no more', async () => {
    const w = world(async () => 9001);
    expect(await w.tagger.tick()).toEqual({ read: 1, tagged: 1, failed: 0 });
    expect(w.written[0]?.tags.ranJob).toEqual({
      repo: 'acme/api',
      runId: 5,
      runAttempt: 1,
      job: 'build',
      jobId: 9001,
    });
    w.advance(5000);
    expect(await w.tagger.tick()).toEqual({ read: 0, tagged: 0, failed: 0 });
  });

  it('tags without the ID when GitHub cannot say it', async () => {
    const w = world(async () => {
      throw new Error('HTTP 502');
    });
    expect(await w.tagger.tick()).toEqual({ read: 1, tagged: 1, failed: 0 });
    expect(w.written[0]?.tags.ranJob).toEqual({
      repo: 'acme/api',
      runId: 5,
      runAttempt: 1,
      job: 'build',
    });
  });
});
