import type { Config } from '../config/config.js';
import { startingRunnerVersion } from '../runner-version/starting-runner-version.js';
import type { BuildRunnerImagesOptions } from './build-runner-images.js';

/** What the configuration says to build runner images for: the App, environment and classes. */
export const imageBuildTarget = (
  config: Pick<Config, 'modal' | 'runners'>,
): Pick<BuildRunnerImagesOptions, 'appName' | 'environment' | 'classes' | 'runnerVersion'> => ({
  appName: config.modal.appName,
  environment: config.modal.environment,
  classes: config.runners.classes,
  runnerVersion: startingRunnerVersion(config.runners.version),
});
