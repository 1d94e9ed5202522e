import { describe, expect, it } from '@jest/globals';
import { KNOWN_GPU_TYPES, runnerClassNamePattern } from '../../src/config/runner-class.js';
import {
  DEFAULT_RUNNER_CLASSES,
  GENERIC_LABELS,
  parseRunnerClasses,
} from '../../src/config/runner-classes.js';

/** The message parseRunnerClasses throws, or a test failure if it does not throw. */
function errorOf(json: string): string {
  try {
    parseRunnerClasses(json);
  } catch (error) {
    expect(error).toBeInstanceOf(Error);
    return (error as Error).message;
  }
  throw new Error(`expected RUNNER_CLASSES=${json} to be refused`);
}

const oneClass = (shape: Record<string, unknown>, name = 'modal'): string =>
  JSON.stringify({ [name]: shape });

describe('parseRunnerClasses: valid', () => {
  it('the default is one class "modal" with 2 CPU and 8 GiB', () => {
    expect(DEFAULT_RUNNER_CLASSES).toBe('{"modal":{"cpu":2,"memoryMiB":8192}}');
    expect([...parseRunnerClasses(DEFAULT_RUNNER_CLASSES)]).toStrictEqual([
      ['modal', { name: 'modal', cpu: 2, memoryMiB: 8192 }],
    ]);
  });

  it.each<[string, string, Record<string, unknown>]>([
    [
      'an empty shape takes the defaults',
      '{"modal":{}}',
      { name: 'modal', cpu: 2, memoryMiB: 8192 },
    ],
    [
      'fractional CPU',
      oneClass({ cpu: 0.5, memoryMiB: 512 }),
      { name: 'modal', cpu: 0.5, memoryMiB: 512 },
    ],
    [
      'the largest shape',
      oneClass({ cpu: 64, memoryMiB: 524288 }),
      { name: 'modal', cpu: 64, memoryMiB: 524288 },
    ],
    [
      'every field',
      oneClass({
        cpu: 8,
        memoryMiB: 32768,
        gpu: 'A100-80GB:4',
        image: 'ghcr.io/acme/runner:2.334.0',
        timeoutMinutes: 120,
        maxRunners: 4,
      }),
      {
        name: 'modal',
        cpu: 8,
        memoryMiB: 32768,
        gpu: 'A100-80GB:4',
        image: 'ghcr.io/acme/runner:2.334.0',
        timeoutMinutes: 120,
        maxRunners: 4,
      },
    ],
    [
      'timeoutMinutes bounds (1 and 1440)',
      '{"modal":{"timeoutMinutes":1},"modal-long":{"timeoutMinutes":1440}}',
      { name: 'modal', cpu: 2, memoryMiB: 8192, timeoutMinutes: 1 },
    ],
  ])('%s', (_name, json, expected) => {
    expect(parseRunnerClasses(json).get('modal')).toStrictEqual(expected);
  });

  it('keeps several classes, in order, each named after its key', () => {
    const classes = parseRunnerClasses(
      '{"modal":{},"modal-gpu-h100":{"gpu":"H100","cpu":16,"memoryMiB":65536},"big.v2":{"cpu":32}}',
    );
    expect([...classes.keys()]).toStrictEqual(['modal', 'modal-gpu-h100', 'big.v2']);
    for (const [name, runnerClass] of classes) expect(runnerClass.name).toBe(name);
    expect(classes.get('modal-gpu-h100')?.gpu).toBe('H100');
    expect(classes.get('big.v2')?.memoryMiB).toBe(8192);
  });

  it.each(['modal', 'a', '0', 'gpu-h100', 'modal_large', 'modal.v2', 'x86', 'a'.repeat(32)])(
    'class name %j is accepted',
    (name) => {
      expect([...parseRunnerClasses(oneClass({}, name)).keys()]).toStrictEqual([name]);
    },
  );
});

describe('parseRunnerClasses: GPU names', () => {
  it.each([
    'H100',
    'A100-80GB:4',
    't4',
    'T4',
    'a10g',
    'L40S:8',
    'H100:1',
    'h100:2',
    'H100!',
    'B200+',
    'A100-40GB',
    'any',
  ])('%j is a Modal GPU type', (gpu) => {
    expect(parseRunnerClasses(oneClass({ gpu })).get('modal')?.gpu).toBe(gpu);
  });

  it.each(KNOWN_GPU_TYPES.map((g) => [g]))('every known type (%s) is accepted', (gpu) => {
    expect(parseRunnerClasses(oneClass({ gpu: `${gpu}:8` })).get('modal')?.gpu).toBe(`${gpu}:8`);
  });

  it.each([
    ['H900', 'unknown type'],
    ['H100:9', 'more than 8'],
    ['H100:0', 'zero GPUs'],
    ['H100:', 'empty count'],
    ['H100:x', 'count not a number'],
    ['2xH100', 'count in front'],
    ['H100 ', 'trailing space'],
    ['A100-80G', 'misspelt memory'],
    ['nvidia-h100', 'vendor prefix'],
    ['', 'empty'],
  ])('%j is refused (%s)', (gpu) => {
    const message = errorOf(oneClass({ gpu }, 'modal-gpu'));
    expect(message).toContain('modal-gpu.gpu:');
    expect(message).toContain('must be a Modal GPU type such as "T4", "A100-80GB" or "H100:2"');
    expect(message).toContain('known: T4, L4,');
  });

  it('refuses a GPU given as a number or object', () => {
    expect(errorOf(oneClass({ gpu: 1 }))).toContain('modal.gpu');
    expect(errorOf(oneClass({ gpu: { type: 'H100' } }))).toContain('modal.gpu');
  });
});

describe('parseRunnerClasses: refused', () => {
  it.each([
    ['not JSON at all', 'modal'],
    ['truncated', '{"modal":{}'],
    ['single quotes', "{'modal':{}}"],
    ['trailing comma', '{"modal":{},}'],
    ['the empty string', ''],
  ])('bad JSON: %s', (_name, json) => {
    const message = errorOf(json);
    expect(message).toMatch(/^is not valid JSON \(/);
    expect(message).toContain(`example: ${DEFAULT_RUNNER_CLASSES}`);
  });

  it.each([
    ['an array', '[{"cpu":2}]'],
    ['null', 'null'],
    ['a string', '"modal"'],
    ['a number', '2'],
    ['a class that is not an object', '{"modal":true}'],
    ['a class that is null', '{"modal":null}'],
  ])('JSON of the wrong shape: %s', (_name, json) => {
    expect(errorOf(json)).toContain(`example: ${DEFAULT_RUNNER_CLASSES}`);
  });

  it('an empty object defines no class', () => {
    expect(errorOf('{}')).toBe(
      `must define at least one runner class; example: ${DEFAULT_RUNNER_CLASSES}`,
    );
  });

  it.each([
    ['upper case', 'Modal'],
    ['all capitals', 'MODAL-GPU'],
    ['leading dash', '-modal'],
    ['leading dot', '.modal'],
    ['a space', 'modal gpu'],
    ['a slash', 'modal/gpu'],
    ['a colon', 'modal:gpu'],
    ['33 characters', 'a'.repeat(33)],
    ['empty', ''],
  ])('class name with %s (%j) is refused', (_name, name) => {
    const message = errorOf(oneClass({}, name));
    expect(message).toContain(`class name "${name}" must be lower-case letters, digits`);
    expect(message).toContain('it is the runs-on label');
  });

  it.each(GENERIC_LABELS.map((l) => [l]))('the generic label %j cannot be a class name', (name) => {
    const message = errorOf(oneClass({}, name));
    expect(message).toContain(`class name "${name}" is a label every runner has`);
    expect(message).toContain('pick a distinct name such as "modal"');
  });

  it('generic labels are exactly self-hosted, linux and x64', () => {
    expect([...GENERIC_LABELS]).toStrictEqual(['self-hosted', 'linux', 'x64']);
    for (const l of GENERIC_LABELS) expect(runnerClassNamePattern.test(l)).toBe(true);
  });

  it.each<[string, Record<string, unknown>, string]>([
    ['an unknown field', { cpu: 2, memory: 4096 }, 'memory'],
    ['a field in the wrong case', { GPU: 'H100' }, 'GPU'],
    ['docker as a word', { docker: 'yes' }, 'modal.docker:'],
    ['cpu 0', { cpu: 0 }, 'modal.cpu:'],
    ['cpu negative', { cpu: -1 }, 'modal.cpu:'],
    ['cpu over 64', { cpu: 65 }, 'modal.cpu:'],
    ['cpu as a string', { cpu: '2' }, 'modal.cpu:'],
    ['memoryMiB under 512', { memoryMiB: 256 }, 'modal.memoryMiB:'],
    ['memoryMiB fractional', { memoryMiB: 1024.5 }, 'modal.memoryMiB:'],
    ['memoryMiB over 512 GiB', { memoryMiB: 524289 }, 'modal.memoryMiB:'],
    ['memoryMiB given as "8Gi"', { memoryMiB: '8Gi' }, 'modal.memoryMiB:'],
    ['image empty', { image: '' }, 'modal.image:'],
    ['timeoutMinutes 0', { timeoutMinutes: 0 }, 'modal.timeoutMinutes:'],
    ['timeoutMinutes over a day', { timeoutMinutes: 1441 }, 'modal.timeoutMinutes:'],
    ['timeoutMinutes fractional', { timeoutMinutes: 1.5 }, 'modal.timeoutMinutes:'],
    ['maxRunners 0', { maxRunners: 0 }, 'modal.maxRunners:'],
    ['maxRunners fractional', { maxRunners: 2.5 }, 'modal.maxRunners:'],
    ['warmPool negative', { warmPool: -1 }, 'modal.warmPool:'],
    ['warmPool fractional', { warmPool: 1.5 }, 'modal.warmPool:'],
    [
      'warmPool above maxRunners',
      { warmPool: 3, maxRunners: 2 },
      'modal.warmPool: warmPool must not exceed maxRunners',
    ],
  ])('%s is refused', (_name, shape, expected) => {
    const message = errorOf(oneClass(shape));
    expect(message).toContain(expected);
    expect(message).toContain(`example: ${DEFAULT_RUNNER_CLASSES}`);
  });

  it('reports every problem of every class in one message', () => {
    const message = errorOf(
      JSON.stringify({ modal: { cpu: 0 }, Big: {}, 'modal-gpu': { gpu: 'H900', extra: 1 } }),
    );
    expect(message).toContain('modal.cpu:');
    expect(message).toContain('class name "Big"');
    expect(message).toContain('modal-gpu.gpu:');
    expect(message).toContain('extra');
    expect(message.split('; ').length).toBeGreaterThanOrEqual(4);
  });
});
