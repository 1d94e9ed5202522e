import type { JobObservation, Ledger, ObserveResult, RunnerRecord } from './ledger.js';

/**
 * Stores what a `workflow_job` event says, and what it tells about our runners: `in_progress`
 * names the runner that really took the job (not always the one launched for it), and
 * `completed` means that runner's sandbox can go.
 */
export async function recordJobEvent(
  ledger: Ledger,
  observation: JobObservation,
): Promise<ObserveResult & { readonly runner?: RunnerRecord }> {
  const result = await ledger.observeJob(observation);
  const name = observation.runnerName;
  if (name === null) return result;
  const runner = await ledger.getRunner(name);
  if (runner === undefined) return result;
  const canTake =
    runner.state === 'launching' || runner.state === 'booting' || runner.state === 'idle';
  if (observation.status === 'in_progress' && canTake) {
    const updated = await ledger.updateRunner(name, {
      state: 'busy',
      tookJobId: observation.id,
      at: observation.at,
    });
    return { ...result, ...(updated ? { runner: updated } : {}) };
  }
  if (observation.status === 'completed' && (canTake || runner.state === 'busy')) {
    const updated = await ledger.updateRunner(name, {
      state: 'finishing',
      tookJobId: observation.id,
      at: observation.at,
    });
    return { ...result, ...(updated ? { runner: updated } : {}) };
  }
  return { ...result, runner };
}
