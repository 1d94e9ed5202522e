import { describe, expect, it } from '@jest/globals';
import { parseRepoAllowlist } from '../../src/config/repo-allowlist.js';
import { parseRunnerClasses } from '../../src/config/runner-classes.js';
import { classifyJob, type ClassifyPolicy } from '../../src/webhook/classify-job.js';
import type { WorkflowJobEvent } from '../../src/webhook/workflow-job-event.js';

const CLASSES = parseRunnerClasses(
  JSON.stringify({
    modal: { cpu: 2, memoryMiB: 8192 },
    'modal-gpu': { cpu: 8, memoryMiB: 32768, gpu: 'H100' },
    big: { cpu: 32, memoryMiB: 131072 },
  }),
);

const policy = (overrides: { allowedRepos?: string; allowPublicRepos?: boolean } = {}) =>
  ({
    classes: CLASSES,
    allowedRepos: parseRepoAllowlist(overrides.allowedRepos),
    allowPublicRepos: overrides.allowPublicRepos ?? false,
  }) satisfies ClassifyPolicy;

interface EventOptions {
  readonly labels?: string[];
  readonly repo?: string;
  readonly private?: boolean;
  readonly visibility?: string | undefined;
  readonly ownerType?: 'Organization' | 'User';
  /** The payload's `organization` login; `null` leaves the field out. */
  readonly organization?: string | null;
  readonly installationId?: number | null;
}

/** A parsed `workflow_job` event; by default a private repo of organization acme. */
function event(options: EventOptions = {}): WorkflowJobEvent {
  const [owner = 'acme', name = 'api'] = (options.repo ?? 'acme/api').split('/');
  const ownerType = options.ownerType ?? 'Organization';
  const isPrivate = options.private ?? true;
  const organization =
    options.organization === null
      ? undefined
      : (options.organization ?? (ownerType === 'Organization' ? owner : undefined));
  return {
    action: 'queued',
    workflow_job: {
      id: 101,
      run_id: 202,
      run_attempt: 1,
      status: 'queued',
      conclusion: null,
      labels: options.labels ?? ['self-hosted', 'modal'],
      runner_name: null,
    },
    repository: {
      full_name: `${owner}/${name}`,
      name,
      private: isPrivate,
      visibility: 'visibility' in options ? options.visibility : isPrivate ? 'private' : 'public',
      owner: { login: owner, type: ownerType },
    },
    ...(organization === undefined ? {} : { organization: { login: organization } }),
    ...(options.installationId === null
      ? {}
      : { installation: { id: options.installationId ?? 77 } }),
  };
}

type Expected =
  | { kind: 'ours'; runnerClass: string }
  | { kind: 'ignored' }
  | { kind: 'refused'; reason: string[] };

function expectClassification(result: ReturnType<typeof classifyJob>, expected: Expected): void {
  expect(result.kind).toBe(expected.kind);
  if (expected.kind === 'ours' && result.kind === 'ours') {
    expect(result.runnerClass).toBe(CLASSES.get(expected.runnerClass));
    expect(result.runnerClass.name).toBe(expected.runnerClass);
  }
  if (expected.kind === 'refused' && result.kind === 'refused') {
    for (const part of expected.reason) expect(result.reason).toContain(part);
  }
  if (expected.kind === 'ignored' && result.kind === 'ignored') {
    expect(result.reason).toBe('no runner class label');
  }
}

describe('classifyJob: labels', () => {
  it.each<[string[], Expected]>([
    // Exactly one class, the rest generic: ours.
    [['modal'], { kind: 'ours', runnerClass: 'modal' }],
    [['self-hosted', 'modal'], { kind: 'ours', runnerClass: 'modal' }],
    [['self-hosted', 'linux', 'x64', 'modal'], { kind: 'ours', runnerClass: 'modal' }],
    [['Self-Hosted', 'Linux', 'X64', 'MODAL'], { kind: 'ours', runnerClass: 'modal' }],
    [['modal', 'self-hosted'], { kind: 'ours', runnerClass: 'modal' }],
    [['modal', 'Modal'], { kind: 'ours', runnerClass: 'modal' }],
    [['modal-gpu'], { kind: 'ours', runnerClass: 'modal-gpu' }],
    [['self-hosted', 'linux', 'Modal-GPU'], { kind: 'ours', runnerClass: 'modal-gpu' }],
    [['self-hosted', 'BIG'], { kind: 'ours', runnerClass: 'big' }],
    // No label of ours: ignored quietly, whatever else is there.
    [[], { kind: 'ignored' }],
    [['ubuntu-latest'], { kind: 'ignored' }],
    [['self-hosted'], { kind: 'ignored' }],
    [['self-hosted', 'linux', 'x64'], { kind: 'ignored' }],
    [['self-hosted', 'k8s'], { kind: 'ignored' }],
    [['gpu', 'db-app', 'dc-03'], { kind: 'ignored' }],
    [['windows-latest', 'macos-14'], { kind: 'ignored' }],
    [['modalx'], { kind: 'ignored' }],
    [['my-modal'], { kind: 'ignored' }],
    // Looks like one of our classes but is not one: refused with the known classes.
    [
      ['modal-foo'],
      {
        kind: 'refused',
        reason: [
          'unknown runner class "modal-foo"',
          'known: modal, modal-gpu, big',
          'RUNNER_CLASSES',
        ],
      },
    ],
    [
      ['self-hosted', 'Modal-GPU-H200'],
      { kind: 'refused', reason: ['unknown runner class "modal-gpu-h200"'] },
    ],
    [['modal_large'], { kind: 'refused', reason: ['unknown runner class "modal_large"'] }],
    [['big-mem'], { kind: 'refused', reason: ['unknown runner class "big-mem"'] }],
    // Several classes: refused.
    [
      ['modal', 'modal-gpu'],
      { kind: 'refused', reason: ['several runner classes', 'modal, modal-gpu', 'exactly one'] },
    ],
    [
      ['self-hosted', 'BIG', 'modal'],
      { kind: 'refused', reason: ['several runner classes', 'big, modal'] },
    ],
    // One class plus a label no runner of ours carries: refused as unsatisfiable.
    [
      ['modal', 'arm64'],
      {
        kind: 'refused',
        reason: ['"arm64" cannot be satisfied', 'self-hosted, Linux, X64', '(modal)'],
      },
    ],
    [['modal', 'ubuntu-latest'], { kind: 'refused', reason: ['"ubuntu-latest"'] }],
    [['modal-gpu', 'gpu'], { kind: 'refused', reason: ['"gpu"', '(modal-gpu)'] }],
    [['self-hosted', 'modal', 'macOS', 'ARM64'], { kind: 'refused', reason: ['"macos", "arm64"'] }],
    [['modal', 'modal-foo'], { kind: 'refused', reason: ['"modal-foo" cannot be satisfied'] }],
    [['modal', 'windows'], { kind: 'refused', reason: ['"windows"'] }],
  ])('%j → %o', (labels, expected) => {
    expectClassification(classifyJob(event({ labels }), policy()), expected);
  });

  it('does not change the labels of the event', () => {
    const e = event({ labels: ['Self-Hosted', 'MODAL'] });
    classifyJob(e, policy());
    expect(e.workflow_job.labels).toStrictEqual(['Self-Hosted', 'MODAL']);
  });

  it('a class name is only ours while it is configured', () => {
    const onlyGpu = { ...policy(), classes: parseRunnerClasses('{"modal-gpu":{"gpu":"T4"}}') };
    expect(classifyJob(event({ labels: ['modal'] }), onlyGpu).kind).toBe('ignored');
    expect(classifyJob(event({ labels: ['modal-gpu'] }), onlyGpu).kind).toBe('ours');
  });
});

describe('classifyJob: repository policy', () => {
  it.each<[string, EventOptions, Parameters<typeof policy>[0], Expected]>([
    ['private, no allowlist', {}, {}, { kind: 'ours', runnerClass: 'modal' }],
    [
      'allowlisted exactly, other case',
      { repo: 'Acme/API' },
      { allowedRepos: 'acme/api' },
      { kind: 'ours', runnerClass: 'modal' },
    ],
    [
      'allowlisted by owner/*',
      { repo: 'acme/web' },
      { allowedRepos: 'other/x, ACME/*' },
      { kind: 'ours', runnerClass: 'modal' },
    ],
    [
      'not in the allowlist',
      { repo: 'acme/web' },
      { allowedRepos: 'acme/api' },
      { kind: 'refused', reason: ['repository acme/web is not in ALLOWED_REPOS'] },
    ],
    [
      'another owner than the wildcard',
      { repo: 'evil/api' },
      { allowedRepos: 'acme/*' },
      { kind: 'refused', reason: ['evil/api', 'ALLOWED_REPOS'] },
    ],
    [
      'public, not allowed by default',
      { private: false },
      {},
      {
        kind: 'refused',
        reason: ['repository acme/api is public', 'fork pull requests', 'ALLOW_PUBLIC_REPOS=true'],
      },
    ],
    [
      'public, ALLOW_PUBLIC_REPOS=true',
      { private: false },
      { allowPublicRepos: true },
      { kind: 'ours', runnerClass: 'modal' },
    ],
    [
      'public with no visibility field (older payloads)',
      { private: false, visibility: undefined },
      {},
      { kind: 'refused', reason: ['is public'] },
    ],
    [
      'private: true but visibility public (trust the stricter)',
      { private: true, visibility: 'public' },
      {},
      { kind: 'refused', reason: ['is public'] },
    ],
    [
      'internal (GitHub Enterprise)',
      { private: true, visibility: 'internal' },
      {},
      { kind: 'ours', runnerClass: 'modal' },
    ],
    [
      'private without a visibility field',
      { private: true, visibility: undefined },
      {},
      { kind: 'ours', runnerClass: 'modal' },
    ],
    [
      'public but outside the allowlist',
      { repo: 'acme/site', private: false },
      { allowedRepos: 'acme/api', allowPublicRepos: true },
      { kind: 'refused', reason: ['acme/site is not in ALLOWED_REPOS'] },
    ],
    [
      'no installation in the payload',
      { installationId: null },
      {},
      { kind: 'refused', reason: ['payload has no installation', 'App must be installed'] },
    ],
    [
      'no installation, public allowed',
      { installationId: null, private: false },
      { allowPublicRepos: true },
      { kind: 'refused', reason: ['no installation'] },
    ],
  ])('%s', (_name, options, policyOptions, expected) => {
    expectClassification(classifyJob(event(options), policy(policyOptions)), expected);
  });

  it.each<[string, EventOptions, Parameters<typeof policy>[0]]>([
    ['outside the allowlist', { repo: 'evil/api' }, { allowedRepos: 'acme/*' }],
    ['public', { private: false }, {}],
    ['without installation', { installationId: null }, {}],
  ])('a job that is not addressed to us stays ignored even when %s', (_n, options, p) => {
    expectClassification(classifyJob(event({ ...options, labels: ['ubuntu-latest'] }), policy(p)), {
      kind: 'ignored',
    });
  });

  it.each<[string, EventOptions, Parameters<typeof policy>[0]]>([
    ['outside the allowlist', { repo: 'evil/api' }, { allowedRepos: 'acme/*' }],
    ['public', { private: false }, {}],
    ['without installation', { installationId: null }, {}],
  ])('a job of ours is never launched when %s, whatever the class', (_n, options, p) => {
    for (const labels of [['modal'], ['modal-gpu'], ['self-hosted', 'linux', 'x64', 'big']]) {
      expect(classifyJob(event({ ...options, labels }), policy(p)).kind).toBe('refused');
    }
  });
});

describe('classifyJob: scope and installation', () => {
  it.each<[string, EventOptions, unknown]>([
    ['an organization repository', { repo: 'acme/api' }, { kind: 'org', org: 'acme' }],
    [
      'an organization repository, organization login differing in case',
      { repo: 'Acme/api', organization: 'ACME' },
      { kind: 'org', org: 'ACME' },
    ],
    [
      'owner type Organization without organization field',
      { repo: 'acme/api', organization: null },
      { kind: 'org', org: 'acme' },
    ],
    [
      'a user account repository',
      { repo: 'octocat/hello-world', ownerType: 'User' },
      { kind: 'repo', owner: 'octocat', repo: 'hello-world' },
    ],
  ])('%s', (_name, options, scope) => {
    const result = classifyJob(event({ ...options, installationId: 4242 }), policy());
    expect(result).toStrictEqual({
      kind: 'ours',
      runnerClass: CLASSES.get('modal'),
      scope,
      installationId: 4242,
    });
  });
});
