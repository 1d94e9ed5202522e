import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import {
  configLine,
  JIT_CONFIG_ENV,
  runnerCommand,
  runnerImageTag,
} from '../../src/modal/runner-image.js';
import { sandboxCreateParams, sandboxTimeoutMs } from '../../src/modal/modal-sandbox-platform.js';
import { JOB_HOOK_DIR } from '../../src/modal/runner-job-hook.js';

/** The entrypoint of a plain class (no Docker, open egress). */
const RUNNER_COMMAND = runnerCommand({ name: 'modal' });

describe('runnerImageTag', () => {
  it('is the official image at the runner version', () => {
    expect(runnerImageTag({}, '2.330.0')).toBe('ghcr.io/actions/actions-runner:2.330.0');
    expect(runnerImageTag({}, 'v2.330.0')).toBe('ghcr.io/actions/actions-runner:2.330.0');
  });

  it('is the class image when the class has one', () => {
    expect(runnerImageTag({ image: 'registry.example.com/runner:gpu' }, '2.330.0')).toBe(
      'registry.example.com/runner:gpu',
    );
  });
});

/**
 * The sandbox's command, run for real by /bin/sh here, with run.sh (and runuser, which needs a
 * `runner` user) replaced by a script that reports what the runner would see.
 */
function runEntrypoint(stdin: string): { status: number | null; stdout: string; stderr: string } {
  const dir = mkdtempSync(join(tmpdir(), 'entrypoint-'));
  const runSh = join(dir, 'run.sh');
  writeFileSync(
    runSh,
    `#!/bin/sh\nprintf 'env=%s\\n' "$${JIT_CONFIG_ENV}"\nprintf 'argv=%s\\n' "$*"\nprintf 'cmdline=%s\\n' "$(tr '\\0' ' ' < /proc/$$/cmdline)"\nprintf 'stdin=%s\\n' "$(cat)"\n`,
    { mode: 0o755 },
  );
  const script = (RUNNER_COMMAND[2] as string)
    .replaceAll(JOB_HOOK_DIR, join(dir, 'hooks'))
    .replace('exec runuser -u runner -- /home/runner/run.sh', `exec ${runSh}`)
    .replace('exec /home/runner/run.sh', `exec ${runSh}`);
  const result = spawnSync('/bin/sh', ['-c', script], { input: stdin, encoding: 'utf8' });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('the runner process', () => {
  it('reads the JIT config from stdin into the environment, never argv, and runs run.sh as runner', () => {
    expect(RUNNER_COMMAND.slice(0, 2)).toEqual(['/bin/sh', '-c']);
    expect(RUNNER_COMMAND[2]).toContain('exec runuser -u runner -- /home/runner/run.sh');
    expect(JIT_CONFIG_ENV).toBe('ACTIONS_RUNNER_INPUT_JITCONFIG');
    const secret = 'eyJ0ZXN0IjoiY29uZmlnIn0=';
    const { status, stdout } = runEntrypoint(configLine(secret) + 'a second line is ignored\n');
    expect(status).toBe(0);
    expect(stdout).toContain(`env=${secret}\n`);
    expect(stdout).toContain('argv=\n');
    // The runner does not inherit the rest of stdin.
    expect(stdout).toContain('stdin=\n');
  });

  it('takes a config without a trailing newline', () => {
    const { status, stdout } = runEntrypoint('abc123');
    expect(status).toBe(0);
    expect(stdout).toContain('env=abc123\n');
  });

  it('exits 1 with a message when stdin closes without a config', () => {
    const { status, stdout, stderr } = runEntrypoint('');
    expect(status).toBe(1);
    expect(stdout).toBe('');
    expect(stderr).toContain('no JIT config on stdin');
  });

  it('never has the config in a command line: the runner process argv is clean', () => {
    const secret = 'c2VjcmV0LWppdC1jb25maWc=';
    const { stdout } = runEntrypoint(configLine(secret));
    expect(stdout).toContain(`env=${secret}\n`);
    expect(stdout).toMatch(/cmdline=.*run\.sh/);
    expect(stdout.split('\n').find((l) => l.startsWith('cmdline='))).not.toContain(secret);
    expect(RUNNER_COMMAND.join(' ')).not.toContain(secret);
  });
});

describe('sandboxCreateParams', () => {
  it('carries no secret and no environment', () => {
    const params = sandboxCreateParams(
      {
        name: 'modal-modal-1',
        runnerClass: { name: 'modal', cpu: 0.5, memoryMiB: 1024 },
        tags: { managedBy: 'm', runnerName: 'modal-modal-1', runnerClass: 'modal', warm: false },
      },
      30,
    );
    expect(params).toEqual({
      name: 'modal-modal-1',
      tags: { 'managed-by': 'm', 'runner-class': 'modal', 'runner-name': 'modal-modal-1' },
      cpu: 0.5,
      memoryMiB: 1024,
      timeoutMs: 30 * 60_000,
      command: runnerCommand({ name: 'modal' }),
      workdir: '/home/runner',
    });
  });
});

describe('sandboxTimeoutMs', () => {
  it.each([
    [{}, 60, 3_600_000],
    [{ timeoutMinutes: 15 }, 60, 900_000],
    [{ timeoutMinutes: 1440 }, 60, 86_400_000],
    [{}, 2000, 86_400_000],
    [{}, 0.5, 30_000],
  ])('%j with default %d minutes → %d ms', (cls, defaultMinutes, expected) => {
    expect(sandboxTimeoutMs({ name: 'c', cpu: 1, memoryMiB: 1024, ...cls }, defaultMinutes)).toBe(
      expected,
    );
  });
});
