export type RunnerState =
  /**
   * A warm-pool sandbox: booted, not registered, waiting for a job's config. Its scope and
   * installation are set when a launch takes it.
   */
  | 'warm'
  /** Registration being minted or sandbox being created. */
  | 'launching'
  /** Sandbox created; the runner has not taken a job yet. */
  | 'booting'
  /** Online at GitHub and waiting for a job. */
  | 'idle'
  /** Running a job. */
  | 'busy'
  /** Its job completed; the sandbox is being shut down. */
  | 'finishing'
  | 'done'
  | 'failed';

/** States whose sandbox may be alive: they count against MAX_RUNNERS. */
export const LIVE_RUNNER_STATES: readonly RunnerState[] = [
  'warm',
  'launching',
  'booting',
  'idle',
  'busy',
  'finishing',
];

/** States that can still take a queued job: they count as supply. */
export const SUPPLY_RUNNER_STATES: readonly RunnerState[] = ['launching', 'booting', 'idle'];

/** Every state, live and finished. */
export const ALL_RUNNER_STATES: readonly RunnerState[] = [...LIVE_RUNNER_STATES, 'done', 'failed'];

const live = new Set(LIVE_RUNNER_STATES);
const supply = new Set(SUPPLY_RUNNER_STATES);

/** The runner's sandbox may still be alive. */
export const isLive = (state: RunnerState): boolean => live.has(state);

/** The runner can still take a job (it counts as supply). */
export const canTakeJob = (state: RunnerState): boolean => supply.has(state);

/** The runner took a job (running it, or it just completed). */
export const hasTakenJob = (state: RunnerState): boolean =>
  state === 'busy' || state === 'finishing';
