import { describe, expect, it } from '@jest/globals';
import {
  JIT_CONFIG_ENV,
  RUNNER_COMMAND,
  runnerEnvironment,
  runnerImageTag,
} from '../../src/modal/runner-image.js';
import { sandboxCreateParams, sandboxTimeoutMs } from '../../src/modal/modal-sandbox-platform.js';

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

describe('the runner process', () => {
  it('runs run.sh as the runner user when started as root, and never carries the JIT config', () => {
    expect(RUNNER_COMMAND.slice(0, 2)).toEqual(['/bin/sh', '-c']);
    expect(RUNNER_COMMAND[2]).toContain('exec runuser -u runner -- /home/runner/run.sh');
    expect(RUNNER_COMMAND.join(' ')).not.toMatch(/jit/i);
    expect(runnerEnvironment('secret')).toEqual({ [JIT_CONFIG_ENV]: 'secret' });
    expect(JIT_CONFIG_ENV).toBe('ACTIONS_RUNNER_INPUT_JITCONFIG');
  });
});

describe('sandboxCreateParams', () => {
  it('puts the JIT config in env and nowhere else', () => {
    const params = sandboxCreateParams(
      {
        name: 'modal-modal-1',
        runnerClass: { name: 'modal', cpu: 0.5, memoryMiB: 1024 },
        jitConfig: 'JIT-SECRET',
        tags: { a: 'b' },
      },
      30,
    );
    const { env, ...rest } = params;
    expect(env).toEqual({ ACTIONS_RUNNER_INPUT_JITCONFIG: 'JIT-SECRET' });
    expect(JSON.stringify(rest)).not.toContain('JIT-SECRET');
    expect(rest).toEqual({
      name: 'modal-modal-1',
      tags: { a: 'b' },
      cpu: 0.5,
      memoryMiB: 1024,
      timeoutMs: 30 * 60_000,
      command: [...RUNNER_COMMAND],
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
