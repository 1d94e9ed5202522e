import type { RunnerClass } from '../config/runner-class.js';

/** GitHub's official runner image; tagged with the runner version (for example `2.330.0`). */
export const DEFAULT_RUNNER_IMAGE_REPOSITORY = 'ghcr.io/actions/actions-runner';

export {
  CONFIG_WAIT_ENV,
  CONFIG_WAIT_SECONDS,
  JIT_CONFIG_ENV,
  RUNNER_WORKDIR,
  runnerCommand,
} from './runner-entrypoint.js';

/** The image a class's runners start from: the class's own `image`, else the official one. */
export function runnerImageTag(
  runnerClass: Pick<RunnerClass, 'image'>,
  runnerVersion: string,
): string {
  if (runnerClass.image) return runnerClass.image;
  return `${DEFAULT_RUNNER_IMAGE_REPOSITORY}:${runnerVersion.replace(/^v/, '')}`;
}

/** What the sandbox reads on stdin: the config and a newline. */
export function configLine(jitConfig: string): string {
  return `${jitConfig}\n`;
}
