import type { JobStatus } from '../domain/job-status.js';
import type { RunnerState } from '../domain/runner-state.js';
import {
  mergeJobObservation,
  type JobObservation,
  type JobPatch,
  type JobRecord,
  type Ledger,
  type ObserveResult,
  type RunnerPatch,
  type RunnerRecord,
} from './ledger.js';

/** A ledger in process memory: for tests, and for running without a data directory. */
export function createMemoryLedger(): Ledger {
  const jobs = new Map<number, JobRecord>();
  const runners = new Map<string, RunnerRecord>();
  const meta = new Map<string, string>();
  return {
    async observeJob(observation: JobObservation): Promise<ObserveResult> {
      const result = mergeJobObservation(jobs.get(observation.id), observation);
      if (result.changed) jobs.set(observation.id, result.job);
      return result;
    },
    async getJob(id) {
      return jobs.get(id);
    },
    async listJobs(statuses: readonly JobStatus[]) {
      return [...jobs.values()].filter((j) => statuses.includes(j.status));
    },
    async updateJob(id: number, patch: JobPatch) {
      const job = jobs.get(id);
      if (job === undefined) return undefined;
      const next = { ...job, ...patch };
      jobs.set(id, next);
      return next;
    },
    async insertRunner(runner: RunnerRecord) {
      if (runners.has(runner.name)) throw new Error(`runner ${runner.name} is already recorded`);
      runners.set(runner.name, runner);
    },
    async getRunner(name) {
      return runners.get(name);
    },
    async updateRunner(name: string, { at, ...patch }: RunnerPatch) {
      const runner = runners.get(name);
      if (runner === undefined) return undefined;
      const next = { ...runner, ...patch, updatedAt: at };
      runners.set(name, next);
      return next;
    },
    async listRunners(states: readonly RunnerState[]) {
      return [...runners.values()].filter((r) => states.includes(r.state));
    },
    async getMeta(key) {
      return meta.get(key);
    },
    async setMeta(key, value) {
      meta.set(key, value);
    },
    async prune(before) {
      let jobCount = 0;
      let runnerCount = 0;
      for (const [id, job] of jobs) {
        if (job.status === 'completed' && job.updatedAt < before) {
          jobs.delete(id);
          jobCount += 1;
        }
      }
      for (const [name, runner] of runners) {
        if ((runner.state === 'done' || runner.state === 'failed') && runner.updatedAt < before) {
          runners.delete(name);
          runnerCount += 1;
        }
      }
      return { jobs: jobCount, runners: runnerCount };
    },
    async close() {},
  };
}
