import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { runnerCommand } from '../../src/modal/runner-image.js';
import { JOB_HOOK_DIR, jobHookShell } from '../../src/modal/runner-job-hook.js';
import { parseJobRecord } from '../../src/reconciler/job-record.js';

const JOB_ENV = {
  GITHUB_REPOSITORY: 'acme/api',
  GITHUB_RUN_ID: '987654321',
  GITHUB_RUN_ATTEMPT: '2',
  GITHUB_JOB: 'unit-tests',
  RUNNER_NAME: 'modal-abc123-0123456789',
};

/** Runs the entrypoint's hook part for real, then a "runner" that prints the hook variables. */
function installHooks(): { dir: string; stdout: string; stderr: string; status: number | null } {
  const dir = join(mkdtempSync(join(tmpdir(), 'job-hook-')), 'hooks');
  const script = `${jobHookShell(dir)}printf 'started=%s\\ncompleted=%s\\n' "$ACTIONS_RUNNER_HOOK_JOB_STARTED" "$ACTIONS_RUNNER_HOOK_JOB_COMPLETED"`;
  const r = spawnSync('/bin/sh', ['-c', script], { encoding: 'utf8' });
  return { dir, stdout: r.stdout, stderr: r.stderr, status: r.status };
}

/** Runs a hook as the runner does (`bash -e {path}`) with the job's default variables. */
function runHook(path: string, env: Record<string, string> = JOB_ENV) {
  const r = spawnSync('bash', ['-e', path], {
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...env },
  });
  return { stdout: r.stdout, status: r.status };
}

describe('the runner job hooks', () => {
  it('the entrypoint writes both scripts and exports the variables the runner reads', () => {
    const { dir, stdout, status } = installHooks();
    expect(status).toBe(0);
    expect(stdout).toBe(`started=${dir}/job-started.sh\ncompleted=${dir}/job-completed.sh\n`);
    expect(statSync(`${dir}/job-started.sh`).mode & 0o777).toBe(0o755);
    expect(statSync(`${dir}/job`).mode & 0o777).toBe(0o666);
    expect(readFileSync(`${dir}/job`, 'utf8')).toBe('');
  });

  it('each hook appends the job identity to the record and prints it to the job log', () => {
    const { dir } = installHooks();
    const started = runHook(`${dir}/job-started.sh`);
    expect(started.status).toBe(0);
    expect(started.stdout).toBe(
      'modal-github-runner: runner modal-abc123-0123456789 started job unit-tests of acme/api run 987654321 attempt 2\n',
    );
    expect(runHook(`${dir}/job-completed.sh`).status).toBe(0);
    const record = readFileSync(`${dir}/job`, 'utf8');
    expect(record).toBe(
      'event=started repo=acme/api run_id=987654321 run_attempt=2 job=unit-tests\n' +
        'event=completed repo=acme/api run_id=987654321 run_attempt=2 job=unit-tests\n',
    );
    expect(parseJobRecord(record)).toEqual({
      repo: 'acme/api',
      runId: 987654321,
      runAttempt: 2,
      job: 'unit-tests',
      completed: true,
    });
  });

  it('a hook that cannot write its record still lets the job run', () => {
    const { dir } = installHooks();
    spawnSync('rm', [`${dir}/job`]);
    spawnSync('mkdir', [`${dir}/job`]); // appending to a directory fails, even for root
    const started = runHook(`${dir}/job-started.sh`);
    expect(started.status).toBe(0);
    expect(started.stdout).toContain('modal-github-runner: runner');
  });

  it('a directory that cannot be made only warns: the runner starts without hooks', () => {
    const blocker = join(mkdtempSync(join(tmpdir(), 'job-hook-')), 'file');
    writeFileSync(blocker, '');
    const script = `${jobHookShell(`${blocker}/hooks`)}printf 'started=%s\\n' "$ACTIONS_RUNNER_HOOK_JOB_STARTED"`;
    const r = spawnSync('/bin/sh', ['-c', script], { encoding: 'utf8' });
    expect(r.status).toBe(0);
    expect(r.stdout).toBe('started=\n');
    expect(r.stderr).toContain('could not install the job hooks');
    expect(existsSync(`${blocker}/hooks`)).toBe(false);
  });

  it("is the first step of every class's sandbox command, with nothing secret in it", () => {
    for (const cls of [{ name: 'modal' }, { name: 'modal-docker', docker: true as const }]) {
      const command = runnerCommand(cls, {
        egressPolicy: { domains: ['github.com'], cidrs: [] },
      });
      expect(command[2]?.startsWith(jobHookShell(JOB_HOOK_DIR))).toBe(true);
    }
  });
});
