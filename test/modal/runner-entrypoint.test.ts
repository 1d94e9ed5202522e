import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import {
  DOCKER_SOCKET,
  DOCKERD_WAIT_ENV,
  ENTRYPOINT_DIR,
  entrypointSteps,
  JIT_CONFIG_ENV,
  noDockerMessage,
  runnerCommand,
  type EntrypointContext,
} from '../../src/modal/runner-entrypoint.js';

const CONFIG = 'eyJqaXQiOiJjb25maWcifQ==';

/**
 * Stubs for what the entrypoint calls, each writing one line to `log`: `id` (not root, so the
 * root steps go through `sudo`), `sudo`, `getent`, `groupadd`, `usermod`, `dockerd` (answers
 * `readyAfter` seconds after it starts, or never with -1), `docker` (answers `version` once
 * dockerd is ready) and run.sh (reports whether docker answered and what PATH and the egress
 * hook are).
 */
function stubs(dir: string, readyAfter: number): Record<string, string> {
  const log = join(dir, 'log');
  const ready = join(dir, 'ready');
  return {
    id: `#!/bin/sh\nif [ "$1" = -u ]; then echo 1001; else echo "runner sudo"; fi\n`,
    sudo: `#!/bin/sh\n[ "$1" = -n ] && shift\necho "sudo $*" >>${log}\nexec "$@"\n`,
    getent: `#!/bin/sh\necho "getent $*" >>${log}\nexit 2\n`,
    groupadd: `#!/bin/sh\necho "groupadd $*" >>${log}\n`,
    usermod: `#!/bin/sh\necho "usermod $*" >>${log}\n`,
    dockerd:
      `#!/bin/sh\necho "dockerd started raw=$DOCKER_INSECURE_NO_IPTABLES_RAW" >>${log}\n` +
      (readyAfter < 0
        ? 'echo "failed to start daemon: iptables not found"\nexit 1\n'
        : `sleep ${readyAfter}\ntouch ${join(dir, 'docker.sock')} ${ready}\nsleep 5\n`),
    docker: `#!/bin/sh\nif [ -e ${ready} ]; then echo "docker $1 ok" >>${log}; exit 0; fi\nexit 1\n`,
    'run.sh':
      `#!/bin/sh\nif docker version >/dev/null 2>&1; then d=answers; else d=down; fi\n` +
      `echo "run.sh config=$${JIT_CONFIG_ENV} docker=$d" >>${log}\n` +
      `echo "path=$PATH"\necho "hook=$ACTIONS_RUNNER_HOOK_JOB_STARTED"\n`,
  };
}

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
  log: string[];
  dir: string;
}

/** Runs a class's entrypoint for real with /bin/sh against the stubs. */
function runEntrypoint(
  runnerClass: { name: string; docker?: boolean | 'vm' | 'experimental' },
  options: { context?: EntrypointContext; readyAfter?: number; waitSeconds?: number } = {},
): Run {
  const dir = mkdtempSync(join(tmpdir(), 'entrypoint-'));
  const bin = join(dir, 'bin');
  spawnSync('mkdir', [bin]);
  for (const [name, body] of Object.entries(stubs(dir, options.readyAfter ?? 1))) {
    writeFileSync(join(bin, name), body, { mode: 0o755 });
  }
  writeFileSync(join(dir, 'log'), '');
  const script = (runnerCommand(runnerClass, options.context)[2] ?? '')
    .replaceAll(ENTRYPOINT_DIR, join(dir, 'mgr'))
    .replaceAll(DOCKER_SOCKET, join(dir, 'docker.sock'))
    .replace('exec /home/runner/run.sh', `exec ${join(bin, 'run.sh')}`);
  const result = spawnSync('/bin/sh', ['-c', script], {
    input: `${CONFIG}\n`,
    encoding: 'utf8',
    env: {
      PATH: `${bin}:${process.env.PATH ?? '/usr/bin:/bin'}`,
      [DOCKERD_WAIT_ENV]: String(options.waitSeconds ?? 20),
    },
    timeout: 30_000,
  });
  const log = readFileSync(join(dir, 'log'), 'utf8').split('\n').filter(Boolean);
  return { status: result.status, stdout: result.stdout, stderr: result.stderr, log, dir };
}

describe('the entrypoint of a Docker class', () => {
  it('puts runner in the docker group, starts dockerd, and starts run.sh only once dockerd answers', () => {
    const run = runEntrypoint({ name: 'modal-docker', docker: true }, { readyAfter: 2 });
    expect(run.status).toBe(0);
    // How often the entrypoint polled depends on the machine; what it logged otherwise does not.
    const polls = run.log.filter((l) => l === 'sudo docker version').length;
    expect(polls).toBeGreaterThanOrEqual(3); // at least one unanswered poll, then two answered
    expect(run.log.filter((l) => l !== 'sudo docker version')).toEqual([
      'getent group docker',
      'sudo groupadd docker',
      'groupadd docker',
      'sudo usermod -aG docker runner',
      'usermod -aG docker runner',
      'sudo env DOCKER_INSECURE_NO_IPTABLES_RAW=1 dockerd',
      'dockerd started raw=1',
      'docker version ok', // the poll that saw it answer
      'docker version ok', // the check after the loop
      `sudo chmod 666 ${join(run.dir, 'docker.sock')}`, // not root: the socket opened to runner
      'docker version ok', // run.sh's own check
      `run.sh config=${CONFIG} docker=answers`,
    ]);
    expect(run.stdout).toMatch(/dockerd answered after [1-9]\d*s/);
  });

  it('without an answer in time: the dockerd log in the sandbox log, and a shim that says why', () => {
    const run = runEntrypoint(
      { name: 'modal-docker', docker: 'vm' },
      { readyAfter: -1, waitSeconds: 2 },
    );
    expect(run.status).toBe(0);
    expect(run.stderr).toContain(
      'dockerd did not answer within 2s; jobs that need Docker will fail',
    );
    expect(run.stderr).toContain('failed to start daemon: iptables not found');
    expect(run.log.at(-1)).toBe(`run.sh config=${CONFIG} docker=down`);
    const shim = spawnSync(join(run.dir, 'mgr', 'bin', 'docker'), ['ps'], { encoding: 'utf8' });
    expect(shim.status).toBe(1);
    expect(shim.stderr).toBe(
      '::error title=No Docker on this runner::Docker did not start in this sandbox (class modal-docker); see the sandbox log on Modal\n',
    );
    expect(run.stdout).toContain(`path=${join(run.dir, 'mgr', 'bin')}:`);
  });
});

describe('the entrypoint of a class without Docker', () => {
  it('puts a docker shim first on PATH that fails naming the Docker classes', () => {
    const run = runEntrypoint({ name: 'modal' }, { context: { dockerClasses: ['modal-docker'] } });
    expect(run.status).toBe(0);
    expect(run.log).toEqual([`run.sh config=${CONFIG} docker=down`]);
    expect(run.stdout).toContain(`path=${join(run.dir, 'mgr', 'bin')}:`);
    const shim = spawnSync(join(run.dir, 'mgr', 'bin', 'docker'), ['version'], {
      encoding: 'utf8',
    });
    expect(shim.status).toBe(1);
    expect(shim.stdout).toBe('');
    expect(shim.stderr).toBe(
      `::error title=No Docker on this runner::${noDockerMessage('modal', ['modal-docker'])}\n`,
    );
    expect(shim.stderr).toContain('use runs-on: modal-docker');
  });

  it('with no Docker class at all, says to ask for one', () => {
    expect(noDockerMessage('modal', [])).toContain(
      'ask the administrator for a class with docker in RUNNER_CLASSES',
    );
  });
});

describe('the entrypoint of a class with restricted egress', () => {
  it('prints the policy and installs a job-started hook that prints it in the job log', () => {
    const run = runEntrypoint(
      { name: 'modal-locked' },
      {
        context: {
          egressPolicy: { domains: ['github.com', '*.npmjs.org'], cidrs: ['10.0.0.0/8'] },
        },
      },
    );
    expect(run.status).toBe(0);
    const policy =
      'modal-github-runner: this runner may connect only to: github.com *.npmjs.org 10.0.0.0/8.';
    expect(run.stdout).toContain(policy);
    const hook = join(run.dir, 'mgr', 'egress-notice.sh');
    expect(run.stdout).toContain(`hook=${hook}\n`);
    // The runner runs the hook with bash; the job hooks' own hook runs after the notice.
    const hookRun = spawnSync('/bin/bash', ['-e', hook], {
      encoding: 'utf8',
      env: {
        PATH: process.env.PATH,
        GITHUB_REPOSITORY: 'acme/api',
        GITHUB_RUN_ID: '7',
        GITHUB_RUN_ATTEMPT: '1',
        GITHUB_JOB: 'test',
        RUNNER_NAME: 'r1',
      },
    });
    expect(hookRun.status).toBe(0);
    expect(hookRun.stdout.split('\n')[0]).toBe(
      `${policy} Connections to other hosts are refused or time out; to reach one, add it to the egress (or egressAllow) of the class in RUNNER_CLASSES.`,
    );
    expect(hookRun.stdout).toContain(
      'modal-github-runner: runner r1 started job test of acme/api run 7 attempt 1',
    );
    expect(readFileSync(join(run.dir, 'mgr', 'job'), 'utf8')).toBe(
      'event=started repo=acme/api run_id=7 run_attempt=1 job=test\n',
    );
  });

  it('says so when the network is blocked', () => {
    const run = runEntrypoint(
      { name: 'modal-offline' },
      { context: { egressPolicy: { domains: [], cidrs: [] } } },
    );
    expect(run.stdout).toContain('modal-github-runner: this runner has no network access');
  });
});

describe('entrypointSteps', () => {
  it('orders the steps: dockerd starts before the config is read and answers before the runner', () => {
    const names = (c: Parameters<typeof entrypointSteps>[0], ctx?: EntrypointContext) =>
      entrypointSteps(c, ctx).map((s) => s.name);
    expect(names({ name: 'd', docker: true })).toEqual([
      'job-hooks',
      'as-root',
      'start-dockerd',
      'read-config',
      'wait-dockerd',
      'start-runner',
    ]);
    expect(names({ name: 'p' }, { egressPolicy: { domains: ['github.com'], cidrs: [] } })).toEqual([
      'job-hooks',
      'as-root',
      'read-config',
      'egress-notice',
      'docker-shim',
      'start-runner',
    ]);
    expect(names({ name: 'p', docker: false })).toContain('docker-shim');
  });
});
