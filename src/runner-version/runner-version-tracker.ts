import type { Logger } from 'pino';
import { errorFields } from '../domain/error-fields.js';
import {
  buildFailed,
  built,
  isLatest,
  nextRunnerVersionStep,
  resolved,
  resolveFailed,
  runnerVersionText,
  versionInUse,
  type RunnerVersionState,
  type RunnerVersionTimings,
} from './runner-version-state.js';

/** The runner version launches use, kept current when RUNNER_VERSION is `latest`. */
export interface RunnerVersionTracker {
  /** The version a launch uses now. */
  current(): string;
  /** What the status page shows (`latest → 2.335.0`). */
  text(): string;
  state(): RunnerVersionState;
  /** Does what is due: asks GitHub for the newest runner, builds its image. Never throws. */
  tick(): Promise<void>;
}

export interface RunnerVersionTrackerDeps {
  /** RUNNER_VERSION */
  readonly setting: string;
  /** The version `latest` uses until the newest one is resolved and built. */
  readonly floor: string;
  readonly timings: RunnerVersionTimings;
  readonly now: () => number;
  readonly fetchNewest: () => Promise<{ version: string; org: string }>;
  /** Builds the official runner image of this version on Modal; throws when it fails. */
  readonly buildImage: (version: string) => Promise<void>;
  readonly log: Logger;
}

export function createRunnerVersionTracker(deps: RunnerVersionTrackerDeps): RunnerVersionTracker {
  const { log } = deps;
  let state: RunnerVersionState = { setting: deps.setting, floor: deps.floor };
  if (isLatest(state)) {
    log.warn(
      { runnerVersion: state.floor },
      `RUNNER_VERSION=latest: launches use ${state.floor}, the fallback version pinned in this release, until the newest runner has been resolved from GitHub and its image built on Modal`,
    );
  }

  async function resolve(): Promise<void> {
    try {
      const { version, org } = await deps.fetchNewest();
      if (state.newest?.version !== version) {
        log.info({ runnerVersion: version, org }, 'newest runner version resolved');
      }
      state = resolved(state, version, deps.now());
    } catch (error) {
      const { message } = errorFields(error);
      log.warn(
        { err: errorFields(error), runnerVersion: versionInUse(state) },
        `could not resolve the newest runner version; launches keep ${versionInUse(state)}`,
      );
      state = resolveFailed(state, message, deps.now());
    }
  }

  async function build(version: string): Promise<void> {
    const before = versionInUse(state);
    log.info({ runnerVersion: version }, 'building the runner image of the newest version');
    try {
      await deps.buildImage(version);
      state = built(state, version);
      log.info(
        { runnerVersion: version, previous: before },
        `runner image ${version} built: new launches use it`,
      );
    } catch (error) {
      const { message } = errorFields(error);
      log.warn(
        { err: errorFields(error), runnerVersion: version },
        `the runner image of ${version} failed to build; launches keep ${before}`,
      );
      state = buildFailed(state, version, message, deps.now());
    }
  }

  return {
    current: () => versionInUse(state),
    text: () => runnerVersionText(state),
    state: () => state,
    async tick() {
      // At most one resolution and one build per tick: each step changes the state so that
      // the next decision differs, and a failed one waits for `retryMs`.
      for (let i = 0; i < 2; i++) {
        const step = nextRunnerVersionStep(state, deps.now(), deps.timings);
        if (step.kind === 'idle') return;
        if (step.kind === 'resolve') await resolve();
        else await build(step.version);
      }
    },
  };
}
