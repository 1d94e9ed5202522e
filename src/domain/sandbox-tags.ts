import { parseScopeKey, scopeKey, type RunnerScope } from './runner-scope.js';

/**
 * What a sandbox's Modal tags say about it. Every sandbox this app creates carries them, so that
 * after a crash (or from another replica) the reconciler can tell whose it is and what it was for.
 * Encoded and decoded only here.
 */
export interface SandboxTags {
  /** The app that made it (`managed-by`): the reconciler touches only sandboxes with its own. */
  readonly managedBy: string;
  readonly runnerName: string;
  readonly runnerClass: string;
  /** A warm-pool sandbox, booted before any job needed it. */
  readonly warm: boolean;
  /** Where its runner registers; absent on a warm sandbox. */
  readonly scope?: RunnerScope;
  readonly installationId?: number;
  /** The job it was launched for, with that job's repository and organization. */
  readonly jobId?: number;
  readonly repo?: string;
  readonly org?: string;
  /**
   * The job the sandbox's runner ran, as its job hook reported it (`ran-*` tags, written by the
   * app after it read the sandbox's job record): may differ from `jobId`, the job it was
   * launched for, and is the only job a warm sandbox names.
   */
  readonly ranJob?: RanJob;
}

/** What a runner's job hook reports of its job (`src/modal/runner-job-hook.ts`). */
export interface RanJob {
  readonly repo: string;
  readonly runId: number;
  readonly runAttempt: number;
  /** The job's key in the workflow (`GITHUB_JOB`). */
  readonly job: string;
  /** The job's numeric ID, when GitHub's list of the run's jobs names this runner. */
  readonly jobId?: number;
}

const KEYS = {
  managedBy: 'managed-by',
  runnerName: 'runner-name',
  runnerClass: 'runner-class',
  warm: 'warm',
  scope: 'scope',
  installationId: 'installation-id',
  jobId: 'job-id',
  repo: 'repo',
  org: 'org',
  ranRepo: 'ran-repo',
  ranRunId: 'ran-run-id',
  ranRunAttempt: 'ran-run-attempt',
  ranJob: 'ran-job',
  ranJobId: 'ran-job-id',
} as const;

/** The tag that selects this app's sandboxes in a listing. */
export function managedByFilter(managedBy: string): Readonly<Record<string, string>> {
  return { [KEYS.managedBy]: managedBy };
}

export function encodeSandboxTags(tags: SandboxTags): Record<string, string> {
  const out: Record<string, string> = {
    [KEYS.managedBy]: tags.managedBy,
    [KEYS.runnerClass]: tags.runnerClass,
    [KEYS.runnerName]: tags.runnerName,
  };
  if (tags.warm) out[KEYS.warm] = 'true';
  if (tags.org !== undefined) out[KEYS.org] = tags.org;
  if (tags.repo !== undefined) out[KEYS.repo] = tags.repo;
  if (tags.jobId !== undefined) out[KEYS.jobId] = String(tags.jobId);
  if (tags.scope !== undefined) out[KEYS.scope] = scopeKey(tags.scope);
  if (tags.installationId !== undefined) out[KEYS.installationId] = String(tags.installationId);
  if (tags.ranJob !== undefined) {
    out[KEYS.ranRepo] = tags.ranJob.repo;
    out[KEYS.ranRunId] = String(tags.ranJob.runId);
    out[KEYS.ranRunAttempt] = String(tags.ranJob.runAttempt);
    out[KEYS.ranJob] = tags.ranJob.job;
    if (tags.ranJob.jobId !== undefined) out[KEYS.ranJobId] = String(tags.ranJob.jobId);
  }
  return out;
}

/**
 * The tags of a listed sandbox. Undefined when it lacks a name, class or owner: nothing of ours
 * can be rebuilt from it. Malformed optional tags are left out rather than trusted.
 */
export function decodeSandboxTags(raw: Readonly<Record<string, string>>): SandboxTags | undefined {
  const managedBy = raw[KEYS.managedBy];
  const runnerName = raw[KEYS.runnerName];
  const runnerClass = raw[KEYS.runnerClass];
  if (!managedBy || !runnerName || !runnerClass) return undefined;
  const scopeTag = raw[KEYS.scope];
  const scope = scopeTag ? parseScopeKey(scopeTag) : undefined;
  const installationId = positiveInt(raw[KEYS.installationId]);
  const jobId = positiveInt(raw[KEYS.jobId]);
  const repo = raw[KEYS.repo];
  const org = raw[KEYS.org];
  const ranJob = decodeRanJob(raw);
  return {
    managedBy,
    runnerName,
    runnerClass,
    warm: raw[KEYS.warm] === 'true',
    ...(scope ? { scope } : {}),
    ...(installationId !== undefined ? { installationId } : {}),
    ...(jobId !== undefined ? { jobId } : {}),
    ...(repo ? { repo } : {}),
    ...(org ? { org } : {}),
    ...(ranJob ? { ranJob } : {}),
  };
}

/** The `ran-*` tags, all four well-formed, or nothing. */
function decodeRanJob(raw: Readonly<Record<string, string>>): RanJob | undefined {
  const repo = raw[KEYS.ranRepo];
  const runId = positiveInt(raw[KEYS.ranRunId]);
  const runAttempt = positiveInt(raw[KEYS.ranRunAttempt]);
  const job = raw[KEYS.ranJob];
  if (!repo || runId === undefined || runAttempt === undefined || !job) return undefined;
  const jobId = positiveInt(raw[KEYS.ranJobId]);
  return { repo, runId, runAttempt, job, ...(jobId !== undefined ? { jobId } : {}) };
}

function positiveInt(value: string | undefined): number | undefined {
  if (value === undefined || !/^\d+$/.test(value)) return undefined;
  const n = Number(value);
  return Number.isSafeInteger(n) && n > 0 ? n : undefined;
}
