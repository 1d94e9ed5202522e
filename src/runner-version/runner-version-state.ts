/**
 * Which runner version launches use now, and what to do next to stay current: pure decisions
 * over a small state, so that the tracker (`runner-version-tracker.ts`) only does the I/O.
 *
 * With RUNNER_VERSION pinned nothing changes. With `latest` the newest runner GitHub offers is
 * resolved (refreshed every `refreshMs`), its image is built on Modal, and only once that build
 * succeeded do launches move to it; until then they keep the version before (at first start the
 * floor, the version pinned in this release).
 */
export interface RunnerVersionState {
  /** RUNNER_VERSION: `latest` or a pinned version. */
  readonly setting: string;
  /** What `latest` uses before any newest version was resolved and built. */
  readonly floor: string;
  /** The newest version whose image built, and which launches use. */
  readonly inUse?: string;
  /** The newest version GitHub offered, and when it was asked. */
  readonly newest?: { readonly version: string; readonly at: number };
  /** When GitHub was last asked, answered or not. */
  readonly askedAt?: number;
  /** The last failed image build, retried after `retryMs`. */
  readonly failedBuild?: { readonly version: string; readonly at: number; readonly error: string };
  /** Why the newest version could not be resolved the last time it was asked. */
  readonly resolveError?: string;
}

export interface RunnerVersionTimings {
  /** How often the newest version is asked for once known (a day). */
  readonly refreshMs: number;
  /** How soon a failed resolution or image build is tried again. */
  readonly retryMs: number;
}

export type RunnerVersionStep =
  | { readonly kind: 'resolve' }
  | { readonly kind: 'build'; readonly version: string }
  | { readonly kind: 'idle' };

export const LATEST = 'latest';

export function isLatest(state: Pick<RunnerVersionState, 'setting'>): boolean {
  return state.setting === LATEST;
}

/** The version launches use now. */
export function versionInUse(state: RunnerVersionState): string {
  if (!isLatest(state)) return state.setting;
  return state.inUse ?? state.floor;
}

/** What to do now: ask GitHub, build the newest image, or nothing. */
export function nextRunnerVersionStep(
  state: RunnerVersionState,
  now: number,
  timings: RunnerVersionTimings,
): RunnerVersionStep {
  if (!isLatest(state)) return { kind: 'idle' };
  const stale = state.newest === undefined || now - state.newest.at >= timings.refreshMs;
  const askedRecently = state.askedAt !== undefined && now - state.askedAt < timings.retryMs;
  if (stale && !askedRecently) return { kind: 'resolve' };
  const newest = state.newest?.version;
  if (newest === undefined || newest === state.inUse) return { kind: 'idle' };
  const failed = state.failedBuild;
  if (failed?.version === newest && now - failed.at < timings.retryMs) return { kind: 'idle' };
  return { kind: 'build', version: newest };
}

export function resolved(
  state: RunnerVersionState,
  version: string,
  now: number,
): RunnerVersionState {
  const { resolveError: _dropped, ...rest } = state;
  return { ...rest, newest: { version, at: now }, askedAt: now };
}

export function resolveFailed(
  state: RunnerVersionState,
  error: string,
  now: number,
): RunnerVersionState {
  return { ...state, askedAt: now, resolveError: error };
}

export function built(state: RunnerVersionState, version: string): RunnerVersionState {
  const { failedBuild: _dropped, ...rest } = state;
  return { ...rest, inUse: version };
}

export function buildFailed(
  state: RunnerVersionState,
  version: string,
  error: string,
  now: number,
): RunnerVersionState {
  return { ...state, failedBuild: { version, at: now, error } };
}

/**
 * One line for the status page and the terminal: the version in use, and for `latest` where it
 * came from (`latest → 2.335.0`) or why it is still the floor.
 */
export function runnerVersionText(state: RunnerVersionState): string {
  const inUse = versionInUse(state);
  if (!isLatest(state)) return `${inUse} (pinned by RUNNER_VERSION)`;
  const newest = state.newest?.version;
  if (state.inUse !== undefined) {
    const pending =
      newest !== undefined && newest !== state.inUse
        ? `; ${newest} is newer, ${state.failedBuild?.version === newest ? `its image failed to build: ${state.failedBuild.error}` : 'its image is building'}`
        : '';
    return `latest → ${inUse}${pending}`;
  }
  if (newest === undefined) {
    const why = state.resolveError ? `: ${state.resolveError}` : '';
    return `latest → ${inUse} (the fallback: the newest runner is not resolved yet${why})`;
  }
  const building =
    state.failedBuild?.version === newest
      ? `its image failed to build: ${state.failedBuild.error}`
      : 'its image is building';
  return `latest → ${inUse} (the fallback: the newest is ${newest}, ${building})`;
}
