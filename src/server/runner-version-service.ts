import type { Logger } from 'pino';
import type { ModalClient } from 'modal';
import type { Config } from '../config/config.js';
import { RUNNER_VERSION_FLOOR } from '../config/env-schema.js';
import type { Clock } from '../domain/clock.js';
import { fetchNewestRunnerVersion } from '../github/newest-runner-version.js';
import { buildRunnerImages } from '../modal/build-runner-images.js';
import {
  createRunnerVersionTracker,
  type RunnerVersionTracker,
} from '../runner-version/runner-version-tracker.js';
import type { GitHubServices } from './build-github.js';

/**
 * The tracker of the runner version, wired to the App's installations (which say the newest
 * runner) and to Modal (which builds its image before a launch uses it). Only the classes on
 * the official image are built: a class with its own `image` never changes version.
 */
export function runnerVersionTrackerFor(
  config: Config,
  deps: {
    readonly github: GitHubServices;
    readonly modalClient: ModalClient;
    readonly clock: Clock;
    readonly log: Logger;
  },
): RunnerVersionTracker {
  const { github, modalClient, clock } = deps;
  const official = new Map([...config.runners.classes].filter(([, c]) => !c.image));
  return createRunnerVersionTracker({
    setting: config.runners.version,
    floor: RUNNER_VERSION_FLOOR,
    timings: config.timings.runnerVersion,
    now: () => clock.now(),
    log: deps.log.child({ name: 'runner-version' }),
    fetchNewest: () =>
      fetchNewestRunnerVersion({
        listInstallations: () => github.observer.listInstallations(),
        installationClient: github.installationOctokit,
      }),
    async buildImage(version) {
      const builds = await buildRunnerImages({
        client: modalClient,
        appName: config.modal.appName,
        environment: config.modal.environment,
        classes: official,
        runnerVersion: version,
      });
      for (const b of builds) if (!b.result.ok) throw b.result.error;
    },
  });
}
