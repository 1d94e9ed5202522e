/**
 * The job record a sandbox's job hooks wrote (`src/modal/runner-job-hook.ts`), read back by the
 * app. The file is written inside the sandbox, where the job could write it too: only
 * well-formed values are accepted, and what is accepted only says what the sandbox reported.
 */
export interface JobRecord {
  /** `owner/name` */
  readonly repo: string;
  readonly runId: number;
  readonly runAttempt: number;
  /** The job's key in the workflow (`GITHUB_JOB`). */
  readonly job: string;
  /** The completed hook ran too. */
  readonly completed: boolean;
}

const LINE =
  /^event=(started|completed) repo=([A-Za-z0-9_.-]{1,100}\/[A-Za-z0-9_.-]{1,100}) run_id=(\d{1,15}) run_attempt=(\d{1,6}) job=([A-Za-z0-9_-]{1,100})$/;

/**
 * The job a record describes: its first well-formed `started` line (a JIT runner runs one job),
 * with whether a matching `completed` line follows. Undefined when the job has not started.
 * Pure.
 */
export function parseJobRecord(text: string): JobRecord | undefined {
  let started: Omit<JobRecord, 'completed'> | undefined;
  let completed = false;
  for (const line of text.split('\n')) {
    const m = LINE.exec(line.trim());
    if (!m) continue;
    const [, event, repo = '', runId = '', runAttempt = '', job = ''] = m;
    const entry = { repo, runId: Number(runId), runAttempt: Number(runAttempt), job };
    if (event === 'started' && started === undefined) started = entry;
    else if (
      event === 'completed' &&
      started !== undefined &&
      started.runId === entry.runId &&
      started.job === entry.job
    ) {
      completed = true;
    }
  }
  return started === undefined ? undefined : { ...started, completed };
}
