import type { RunnerClass } from '../config/runner-class.js';
import { jobHookShell } from './runner-job-hook.js';

/** GitHub's official runner image; tagged with the runner version (for example `2.330.0`). */
export const DEFAULT_RUNNER_IMAGE_REPOSITORY = 'ghcr.io/actions/actions-runner';

/** Where the runner lives in the official image. */
export const RUNNER_WORKDIR = '/home/runner';

/**
 * The environment variable the runner reads its JIT config from (the `--jitconfig` argument of
 * `run.sh`, as the runner maps `ACTIONS_RUNNER_INPUT_<ARG>` onto arguments). The secret goes
 * there and never into argv, where any process in the sandbox could read it.
 */
export const JIT_CONFIG_ENV = 'ACTIONS_RUNNER_INPUT_JITCONFIG';

/** How long a booted sandbox waits for its JIT config on stdin before it gives up (exit 1). */
export const CONFIG_WAIT_SECONDS = 120;

/** Sandbox environment variable (not a secret) that lengthens the wait, for warm sandboxes. */
export const CONFIG_WAIT_ENV = 'MGR_CONFIG_WAIT_SECONDS';

/**
 * The sandbox's main process. It boots while the app mints the JIT config, reads the config as
 * one line from stdin (`timeout` bounds the wait, so a sandbox whose launch was abandoned ends
 * by itself), exports it as ACTIONS_RUNNER_INPUT_JITCONFIG (a shell variable: it never appears
 * in any command line), and starts the runner as the image's non-root `runner` user. Modal may
 * start the container as root whatever the image's USER says, and the runner refuses to run as
 * root; `runuser` without `-l` keeps the environment, so the config reaches the runner. First
 * it installs the runner's job hooks (`runner-job-hook.ts`).
 */
export const RUNNER_COMMAND: readonly string[] = [
  '/bin/sh',
  '-c',
  jobHookShell() +
    `${JIT_CONFIG_ENV}="$(timeout "\${${CONFIG_WAIT_ENV}:-${CONFIG_WAIT_SECONDS}}" head -n 1)"; ` +
    `if [ -z "$${JIT_CONFIG_ENV}" ]; then ` +
    `echo "modal-github-runner: no JIT config on stdin in time" >&2; exit 1; fi; ` +
    `export ${JIT_CONFIG_ENV}; exec </dev/null; ` +
    `if [ "$(id -u)" = 0 ]; then exec runuser -u runner -- ${RUNNER_WORKDIR}/run.sh; ` +
    `else exec ${RUNNER_WORKDIR}/run.sh; fi`,
];

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
