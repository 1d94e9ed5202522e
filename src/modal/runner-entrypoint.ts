import type { RunnerClass } from '../config/runner-class.js';
import { CACHE_STEP_SCRIPT } from '../cache/cache-script.js';
import { dockerModeOf } from '../config/runner-class-network.js';
import { JOB_HOOK_DIR, jobHookShell } from './runner-job-hook.js';

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

/** How long the entrypoint waits for `dockerd` to answer before it gives up on Docker. */
export const DOCKERD_WAIT_SECONDS = 60;

/** Sandbox environment variable (not a secret) that changes that wait. */
export const DOCKERD_WAIT_ENV = 'MGR_DOCKERD_WAIT_SECONDS';

/** Where dockerd listens (its default), and where the Docker CLI looks. */
export const DOCKER_SOCKET = '/var/run/docker.sock';

/**
 * The entrypoint's own files: the job hooks and their record (runner-job-hook.ts), the docker
 * shim, the dockerd log, the egress notice.
 */
export const ENTRYPOINT_DIR = JOB_HOOK_DIR;

/**
 * One named step of the sandbox's main process, a piece of POSIX shell. Steps run in order in
 * one shell, so a step can leave variables (`mgr_*`) for later ones.
 */
export interface EntrypointStep {
  readonly name: string;
  readonly script: string;
}

/**
 * What the entrypoint knows beyond the class: the classes with Docker (for the shim's advice)
 * and the hosts a restricted class may reach (for the policy it prints).
 */
export interface EntrypointContext {
  readonly dockerClasses?: readonly string[];
  readonly egressPolicy?: EgressNotice;
}

/** The restricted egress a class has, as the entrypoint prints it. */
export interface EgressNotice {
  readonly domains: readonly string[];
  readonly cidrs: readonly string[];
}

/**
 * Reads the config as one line from stdin (`timeout` bounds the wait, so a sandbox whose launch
 * was abandoned ends by itself) and exports it as ACTIONS_RUNNER_INPUT_JITCONFIG (a shell
 * variable: it never appears in any command line); then stops reading stdin.
 */
export const READ_CONFIG_STEP: EntrypointStep = {
  name: 'read-config',
  script:
    `${JIT_CONFIG_ENV}="$(timeout "\${${CONFIG_WAIT_ENV}:-${CONFIG_WAIT_SECONDS}}" head -n 1)"; ` +
    `if [ -z "$${JIT_CONFIG_ENV}" ]; then ` +
    `echo "modal-github-runner: no JIT config on stdin in time" >&2; exit 1; fi; ` +
    `export ${JIT_CONFIG_ENV}; exec </dev/null;`,
};

/**
 * Starts the runner as the image's non-root `runner` user. Modal may start the container as
 * root whatever the image's USER says, and the runner refuses to run as root; `runuser` without
 * `-l` keeps the environment (the config, PATH), so they reach the runner.
 */
export const START_RUNNER_STEP: EntrypointStep = {
  name: 'start-runner',
  script:
    `if [ "$(id -u)" = 0 ]; then exec runuser -u runner -- ${RUNNER_WORKDIR}/run.sh; ` +
    `else exec ${RUNNER_WORKDIR}/run.sh; fi`,
};

/** The runner's job hooks, which record the job the sandbox ran (runner-job-hook.ts). */
const JOB_HOOKS_STEP: EntrypointStep = { name: 'job-hooks', script: jobHookShell(ENTRYPOINT_DIR) };

/** `sudo -n` when the entrypoint is not root (the official image lets `runner` sudo). */
const AS_ROOT_STEP: EntrypointStep = {
  name: 'as-root',
  script: `mgr_root=; [ "$(id -u)" = 0 ] || mgr_root="sudo -n"; mkdir -p ${ENTRYPOINT_DIR};`,
};

/**
 * The `runner` user in the `docker` group (created if missing), then dockerd started in the
 * background while the sandbox still waits for its config. DOCKER_INSECURE_NO_IPTABLES_RAW:
 * Docker 28+ filters with the iptables `raw` table, which a sandbox kernel may lack.
 */
const START_DOCKERD_STEP: EntrypointStep = {
  name: 'start-dockerd',
  script: [
    'getent group docker >/dev/null 2>&1 || $mgr_root groupadd docker;',
    'id -nG runner 2>/dev/null | grep -qw docker || $mgr_root usermod -aG docker runner;',
    'if command -v dockerd >/dev/null 2>&1; then',
    `$mgr_root env DOCKER_INSECURE_NO_IPTABLES_RAW=1 dockerd </dev/null >${ENTRYPOINT_DIR}/dockerd.log 2>&1 &`,
    `else echo "the runner image has no dockerd" >${ENTRYPOINT_DIR}/dockerd.log; fi;`,
  ].join(' '),
};

/** A `docker` on PATH that fails with `message` in the job log (stderr, as a workflow error). */
function shimScript(message: string): string {
  return [
    `mkdir -p ${ENTRYPOINT_DIR}/bin; cat >${ENTRYPOINT_DIR}/bin/docker <<'MGR_SHIM'`,
    '#!/bin/sh',
    `echo "::error title=No Docker on this runner::${message}" >&2`,
    'exit 1',
    'MGR_SHIM',
    `chmod 755 ${ENTRYPOINT_DIR} ${ENTRYPOINT_DIR}/bin ${ENTRYPOINT_DIR}/bin/docker; export PATH="${ENTRYPOINT_DIR}/bin:$PATH";`,
  ].join('\n');
}

/** What a job of a class without Docker reads when it runs `docker` (or needs a container). */
export function noDockerMessage(className: string, dockerClasses: readonly string[]): string {
  const use =
    dockerClasses.length > 0
      ? `use runs-on: ${dockerClasses.join(' or ')}`
      : 'ask the administrator for a class with docker in RUNNER_CLASSES';
  return `runner class ${className} has no Docker daemon (services, container jobs and Docker actions need one): ${use}`;
}

/**
 * Waits, bounded, until dockerd answers; then makes sure the runner can use its socket. When it
 * does not answer, the end of its log goes to the sandbox log and a shim takes `docker`'s place,
 * so a job that needs Docker fails saying why and one that does not still runs.
 */
function waitDockerdStep(className: string): EntrypointStep {
  const failed = `Docker did not start in this sandbox (class ${className}); see the sandbox log on Modal`;
  return {
    name: 'wait-dockerd',
    script: [
      `mgr_wait="\${${DOCKERD_WAIT_ENV}:-${DOCKERD_WAIT_SECONDS}}"; mgr_waited=0;`,
      'until $mgr_root docker version >/dev/null 2>&1; do',
      'if [ "$mgr_waited" -ge "$mgr_wait" ]; then break; fi;',
      'sleep 1; mgr_waited=$((mgr_waited + 1)); done;',
      'if $mgr_root docker version >/dev/null 2>&1; then',
      'echo "modal-github-runner: dockerd answered after ${mgr_waited}s";',
      // Not root: the runner keeps this process's groups, so the `docker` group added above
      // does not reach it; the socket is opened to it instead (the sandbox runs one job).
      `if [ -n "$mgr_root" ]; then $mgr_root chmod 666 ${DOCKER_SOCKET}; fi;`,
      'else',
      'echo "modal-github-runner: dockerd did not answer within ${mgr_wait}s; jobs that need Docker will fail. dockerd log:" >&2;',
      `tail -n 20 ${ENTRYPOINT_DIR}/dockerd.log >&2;`,
      shimScript(failed),
      'fi;',
    ].join('\n'),
  };
}

/**
 * Prints the egress policy in the sandbox log and, through a job-started hook, at the top of the
 * job's log, so a step that cannot reach a host can be understood. The hook installed before
 * (the job hooks') runs after it, as itself (`exec`: it reads its event from its own name).
 */
function egressNoticeStep(notice: EgressNotice): EntrypointStep {
  const allowed = [...notice.domains, ...notice.cidrs];
  const text =
    allowed.length === 0
      ? 'modal-github-runner: this runner has no network access'
      : `modal-github-runner: this runner may connect only to: ${allowed.join(' ')}. Connections to other hosts are refused or time out; to reach one, add it to the egress (or egressAllow) of the class in RUNNER_CLASSES.`;
  const hook = `${ENTRYPOINT_DIR}/egress-notice.sh`;
  return {
    name: 'egress-notice',
    script: [
      `echo '${text}'; mkdir -p ${ENTRYPOINT_DIR};`,
      `printf '%s\\n' '#!/bin/sh' "echo '${text}'" >${hook};`,
      `if [ -n "\${ACTIONS_RUNNER_HOOK_JOB_STARTED:-}" ]; then printf '%s\\n' "exec /bin/sh '$ACTIONS_RUNNER_HOOK_JOB_STARTED'" >>${hook}; fi;`,
      `chmod 755 ${ENTRYPOINT_DIR} ${hook}; export ACTIONS_RUNNER_HOOK_JOB_STARTED=${hook};`,
    ].join(' '),
  };
}

/**
 * The steps of a class's entrypoint, in order. Docker's daemon starts before the config is read
 * (it boots while the app mints the config) and must answer before the runner starts.
 */
export function entrypointSteps(
  runnerClass: Pick<RunnerClass, 'name' | 'docker' | 'cache'>,
  context: EntrypointContext = {},
): EntrypointStep[] {
  const docker = dockerModeOf(runnerClass) !== undefined;
  const steps: EntrypointStep[] = [JOB_HOOKS_STEP, AS_ROOT_STEP];
  // The warm cache (src/cache/) restores while the app mints the config; its publish hook runs
  // before the job hooks' job-completed hook.
  if (runnerClass.cache) steps.push({ name: 'cache-restore', script: CACHE_STEP_SCRIPT });
  if (docker) steps.push(START_DOCKERD_STEP);
  steps.push(READ_CONFIG_STEP);
  if (context.egressPolicy) steps.push(egressNoticeStep(context.egressPolicy));
  if (docker) steps.push(waitDockerdStep(runnerClass.name));
  else
    steps.push({
      name: 'docker-shim',
      script: shimScript(noDockerMessage(runnerClass.name, context.dockerClasses ?? [])),
    });
  steps.push(START_RUNNER_STEP);
  return steps;
}

/** The sandbox's main process for a class: its steps, in one `/bin/sh -c`. */
export function runnerCommand(
  runnerClass: Pick<RunnerClass, 'name' | 'docker' | 'cache'>,
  context: EntrypointContext = {},
): string[] {
  return [
    '/bin/sh',
    '-c',
    entrypointSteps(runnerClass, context)
      .map((s) => s.script)
      .join('\n'),
  ];
}
