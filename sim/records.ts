import type { JobObservation, JobRecord, RunnerRecord } from '../src/ledger/ledger.js';

/** A queued job record with sensible defaults, for table tests. */
export function job(id: number, overrides: Partial<JobRecord> = {}): JobRecord {
  return {
    id,
    runId: id * 10,
    runAttempt: 1,
    repo: 'acme/api',
    org: 'acme',
    installationId: 7,
    labels: ['self-hosted', 'modal'],
    runnerClass: 'modal',
    scope: { kind: 'org', org: 'acme' },
    status: 'queued',
    conclusion: null,
    runnerName: null,
    createdAt: id,
    queuedAt: id,
    startedAt: null,
    completedAt: null,
    updatedAt: id,
    launchAttempts: 0,
    nextAttemptAt: 0,
    lastError: null,
    foreign: false,
    ...overrides,
  };
}

/** What a webhook says about job `id`: `queued`, with the same defaults as `job`. */
export function jobObservation(
  id: number,
  overrides: Partial<JobObservation> = {},
): JobObservation {
  const { runId, runAttempt, repo, org, installationId, labels, runnerClass, scope } = job(id);
  return {
    id,
    ...{ runId, runAttempt, repo, org, installationId, labels, runnerClass, scope },
    status: 'queued',
    conclusion: null,
    runnerName: null,
    at: id,
    ...overrides,
  };
}

export function runner(name: string, overrides: Partial<RunnerRecord> = {}): RunnerRecord {
  return {
    name,
    runnerId: 100,
    sandboxId: `sb-${name}`,
    runnerClass: 'modal',
    scope: { kind: 'org', org: 'acme' },
    installationId: 7,
    state: 'booting',
    launchedForJobId: null,
    tookJobId: null,
    createdAt: 0,
    updatedAt: 0,
    lastError: null,
    ...overrides,
  };
}
