import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import {
  DEFAULT_RUNNER_CLASSES,
  GENERIC_LABELS,
  parseRunnerClasses,
} from '../../src/config/runner-classes.js';
import type { RunnerScope } from '../../src/domain/runner-scope.js';
import { classifyJob, type ClassifyPolicy } from '../../src/webhook/classify-job.js';
import { jobStatusOf, toObservation } from '../../src/webhook/to-observation.js';
import {
  parseWorkflowJobEvent,
  type WorkflowJobEvent,
} from '../../src/webhook/workflow-job-event.js';

// ---------------------------------------------------------------------------------------------
// Every workflow_job example of @octokit/webhooks-examples: github.com and every GHES version.
// ---------------------------------------------------------------------------------------------

interface RawExample {
  action: string;
  workflow_job: {
    id: number;
    run_id: number;
    run_attempt?: number;
    status: string;
    conclusion: string | null;
    labels: string[];
    runner_name: string | null;
  };
  repository: { full_name: string; owner: { login: string } };
  organization?: { login: string };
  installation?: { id: number };
}

const packageDir = dirname(
  createRequire(import.meta.url).resolve('@octokit/webhooks-examples/package.json'),
);

const examples: { source: string; key: string; raw: RawExample }[] = readdirSync(packageDir)
  .filter((entry) => existsSync(join(packageDir, entry, 'index.json')))
  .sort()
  .flatMap((source) => {
    const groups = JSON.parse(readFileSync(join(packageDir, source, 'index.json'), 'utf8')) as {
      name: string;
      examples: RawExample[];
    }[];
    return (groups.find((g) => g.name === 'workflow_job')?.examples ?? []).map((raw, i) => ({
      source: `${source}#${i}`,
      key: `${raw.action}/${raw.workflow_job.status}/${raw.workflow_job.conclusion}/${raw.workflow_job.id}`,
      raw,
    }));
  });

/** What each example should give. Keyed by action/status/conclusion/job id. */
interface Expectation {
  readonly status: 'waiting' | 'queued' | 'in_progress' | 'completed';
  /** Classification against the example's own labels, with its first non-generic label a class. */
  readonly ownLabels:
    | { kind: 'ours'; scope: RunnerScope; installationId: number }
    | { kind: 'refused'; reason: string };
  /** The same but with ALLOW_PUBLIC_REPOS=false (the default). */
  readonly ownLabelsPublicRefused: boolean;
}

const noInstallation = { kind: 'refused', reason: 'payload has no installation' } as const;

const EXPECTED: Record<string, Expectation> = {
  // octo-org/example-workflow, private, labels gpu/db-app/dc-03, no installation.
  'in_progress/in_progress/null/2832853555': {
    status: 'in_progress',
    ownLabels: { kind: 'refused', reason: '"db-app", "dc-03" cannot be satisfied' },
    ownLabelsPublicRefused: false,
  },
  // Codertocat/Hello-World, public, ubuntu-latest, no installation.
  'completed/completed/failure/289782451': {
    status: 'completed',
    ownLabels: noInstallation,
    ownLabelsPublicRefused: true,
  },
  'completed/completed/success/289782451': {
    status: 'completed',
    ownLabels: noInstallation,
    ownLabelsPublicRefused: true,
  },
  // Codertocat/Hello-World, no organization field. The example's owner object is the
  // organization Octocoders (its full_name says Codertocat): the owner object decides.
  'in_progress/in_progress/null/289782451': {
    status: 'in_progress',
    ownLabels: { kind: 'ours', scope: { kind: 'org', org: 'Octocoders' }, installationId: 1 },
    ownLabelsPublicRefused: true,
  },
  // wolfy1339/github-events-schemas: a user account.
  'in_progress/in_progress/null/14541957942': {
    status: 'in_progress',
    ownLabels: {
      kind: 'ours',
      scope: { kind: 'repo', owner: 'wolfy1339', repo: 'github-events-schemas' },
      installationId: 3456996,
    },
    ownLabelsPublicRefused: true,
  },
  'queued/queued/null/289782451': {
    status: 'queued',
    ownLabels: {
      kind: 'ours',
      scope: { kind: 'org', org: 'Octocoders' },
      installationId: 3456996,
    },
    ownLabelsPublicRefused: true,
  },
  // lineville/elastic-machines-testing: a job behind an approval gate. GitHub says
  // `action: queued` but `status: waiting`: it must not count as queued.
  'queued/waiting/null/12877621891': {
    status: 'waiting',
    ownLabels: {
      kind: 'ours',
      scope: { kind: 'repo', owner: 'lineville', repo: 'elastic-machines-testing' },
      installationId: 23154469,
    },
    ownLabelsPublicRefused: true,
  },
  'waiting/waiting/null/12877621891': {
    status: 'waiting',
    ownLabels: {
      kind: 'ours',
      scope: { kind: 'repo', owner: 'lineville', repo: 'elastic-machines-testing' },
      installationId: 23154469,
    },
    ownLabelsPublicRefused: true,
  },
};

const parsed = (raw: unknown): WorkflowJobEvent => {
  const result = parseWorkflowJobEvent(raw);
  if (!result.ok) throw new Error(`example did not parse: ${result.reason}`);
  return result.event;
};

const DEFAULT_POLICY: ClassifyPolicy = {
  classes: parseRunnerClasses(DEFAULT_RUNNER_CLASSES),
  allowedRepos: null,
  allowPublicRepos: false,
};

/** The default policy plus a class named after the example's first non-generic label. */
function ownLabelPolicy(raw: RawExample, allowPublicRepos: boolean): ClassifyPolicy {
  const label = raw.workflow_job.labels
    .map((l) => l.toLowerCase())
    .find((l) => !(GENERIC_LABELS as readonly string[]).includes(l));
  if (label === undefined) throw new Error('example has no label to turn into a class');
  return {
    classes: parseRunnerClasses(JSON.stringify({ modal: {}, [label]: {} })),
    allowedRepos: null,
    allowPublicRepos,
  };
}

describe('@octokit/webhooks-examples workflow_job examples', () => {
  it('the package has workflow_job examples and each one has an expectation here', () => {
    expect(examples.length).toBeGreaterThanOrEqual(8);
    expect(examples.some((e) => e.source.startsWith('api.github.com'))).toBe(true);
    for (const { source, key } of examples) {
      expect([source, key in EXPECTED]).toStrictEqual([source, true]);
    }
    // Every expectation is used, so none of them is stale.
    expect(new Set(examples.map((e) => e.key))).toStrictEqual(new Set(Object.keys(EXPECTED)));
  });

  it('includes the approval-gate example: action queued, status waiting', () => {
    expect(
      examples.some((e) => e.raw.action === 'queued' && e.raw.workflow_job.status === 'waiting'),
    ).toBe(true);
  });

  describe.each(examples)('$source ($key)', ({ key, raw }) => {
    const expected = EXPECTED[key];
    if (expected === undefined) {
      it('has an expectation in EXPECTED', () => {
        throw new Error(`add an expectation for the new example ${key}`);
      });
      return;
    }

    it('parses, keeping the fields we use', () => {
      const result = parseWorkflowJobEvent(raw);
      expect(result.ok).toBe(true);
      if (!result.ok) return;
      expect(result.event.action).toBe(raw.action);
      expect(result.event.workflow_job.id).toBe(raw.workflow_job.id);
      expect(result.event.workflow_job.labels).toStrictEqual(raw.workflow_job.labels);
      expect(result.event.workflow_job.run_attempt).toBe(raw.workflow_job.run_attempt ?? 1);
      expect(result.event.repository.full_name).toBe(raw.repository.full_name);
      expect(result.event.installation?.id).toBe(raw.installation?.id);
    });

    it(`jobStatusOf is ${expected.status}`, () => {
      expect(jobStatusOf(parsed(raw))).toBe(expected.status);
    });

    it('is ignored by the default policy: none of its labels is ours', () => {
      expect(classifyJob(parsed(raw), DEFAULT_POLICY)).toStrictEqual({
        kind: 'ignored',
        reason: 'no runner class label',
      });
    });

    it('with its own label as a class (public repos allowed)', () => {
      const result = classifyJob(parsed(raw), ownLabelPolicy(raw, true));
      const own = expected.ownLabels;
      if (own.kind === 'ours') {
        expect(result).toMatchObject({
          kind: 'ours',
          scope: own.scope,
          installationId: own.installationId,
        });
      } else {
        expect(result.kind).toBe('refused');
        expect(result.kind === 'refused' && result.reason).toContain(own.reason);
      }
    });

    it('with its own label as a class, public repos refused by default', () => {
      const result = classifyJob(parsed(raw), ownLabelPolicy(raw, false));
      expect(result.kind).toBe('refused');
      if (result.kind !== 'refused') return;
      if (expected.ownLabelsPublicRefused) {
        expect(result.reason).toContain('is public');
        expect(result.reason).toContain('ALLOW_PUBLIC_REPOS=true');
      } else {
        expect(result.reason).not.toContain('is public');
      }
    });

    it('relabelled runs-on: [self-hosted, modal]: ours, or refused for lack of an installation', () => {
      const relabelled = structuredClone(raw);
      relabelled.workflow_job.labels = ['self-hosted', 'modal'];
      const result = classifyJob(parsed(relabelled), {
        ...DEFAULT_POLICY,
        allowPublicRepos: true,
      });
      if (raw.installation === undefined) {
        expect(result).toStrictEqual({
          kind: 'refused',
          reason:
            'payload has no installation: the App must be installed on the organization or account',
        });
      } else {
        expect(result).toStrictEqual({
          kind: 'ours',
          runnerClass: DEFAULT_POLICY.classes.get('modal'),
          scope: expected.ownLabels.kind === 'ours' ? expected.ownLabels.scope : undefined,
          installationId: raw.installation.id,
        });
      }
    });

    it('toObservation records what the delivery says', () => {
      const event = parsed(raw);
      const status = jobStatusOf(event);
      if (status === undefined) throw new Error('no status');
      const scope: RunnerScope = { kind: 'org', org: 'x' };
      const observation = toObservation(
        event,
        status,
        { runnerClass: { name: 'modal' }, scope, installationId: 9 },
        1234,
      );
      expect(observation).toStrictEqual({
        id: raw.workflow_job.id,
        runId: raw.workflow_job.run_id,
        runAttempt: raw.workflow_job.run_attempt ?? 1,
        repo: raw.repository.full_name,
        org: raw.organization?.login ?? raw.repository.owner.login,
        installationId: 9,
        labels: raw.workflow_job.labels,
        runnerClass: 'modal',
        scope,
        status: expected.status,
        conclusion: raw.workflow_job.conclusion,
        runnerName: raw.workflow_job.runner_name,
        at: 1234,
      });
    });
  });
});

// ---------------------------------------------------------------------------------------------
// jobStatusOf and toObservation on edge cases
// ---------------------------------------------------------------------------------------------

const base = examples.find((e) => e.key === 'queued/queued/null/289782451')?.raw as RawExample;

const withJob = (patch: Partial<RawExample['workflow_job']>, action?: string): unknown => ({
  ...structuredClone(base),
  ...(action === undefined ? {} : { action }),
  workflow_job: { ...structuredClone(base.workflow_job), ...patch },
});

const mutated = (mutate: (p: Record<string, unknown>) => void): unknown => {
  const payload = structuredClone(base) as unknown as Record<string, unknown>;
  mutate(payload);
  return payload;
};
const job = (p: Record<string, unknown>) => p.workflow_job as Record<string, unknown>;
const repo = (p: Record<string, unknown>) => p.repository as Record<string, unknown>;

describe('jobStatusOf', () => {
  it.each<[string, string, string | undefined]>([
    ['queued', 'queued', 'queued'],
    ['queued', 'waiting', 'waiting'],
    ['waiting', 'waiting', 'waiting'],
    ['queued', 'pending', 'waiting'],
    ['queued', 'requested', 'waiting'],
    ['in_progress', 'in_progress', 'in_progress'],
    ['completed', 'completed', 'completed'],
    // The status field wins over the action, whatever the action says.
    ['completed', 'in_progress', 'in_progress'],
    ['queued', 'completed', 'completed'],
    // A status GitHub may add one day is no status we know: undefined, not a guess.
    ['queued', 'paused', undefined],
    ['queued', '', undefined],
    ['queued', 'QUEUED', undefined],
  ])('action %j with status %j → %j', (action, status, expected) => {
    expect(jobStatusOf(parsed(withJob({ status }, action)))).toBe(expected);
  });
});

describe('toObservation', () => {
  const classified = {
    runnerClass: { name: 'modal-gpu' },
    scope: { kind: 'repo', owner: 'Codertocat', repo: 'Hello-World' } as const,
    installationId: 5,
  };

  it.each<[string, Partial<RawExample['workflow_job']>, string | null, string | null]>([
    ['an empty runner name is no runner', { runner_name: '' }, null, null],
    ['a null runner name', { runner_name: null }, null, null],
    ['a runner name', { runner_name: 'mgr-123-abc' }, 'mgr-123-abc', null],
    ['a conclusion', { conclusion: 'cancelled' }, 'GitHub Actions 5', 'cancelled'],
  ])('%s', (_name, patch, runnerName, conclusion) => {
    const observation = toObservation(parsed(withJob(patch)), 'queued', classified, 42);
    expect(observation.runnerName).toBe(runnerName);
    expect(observation.conclusion).toBe(conclusion);
  });

  it('a missing conclusion is recorded as null', () => {
    const raw = withJob({}) as { workflow_job: Record<string, unknown> };
    delete raw.workflow_job.conclusion;
    expect(toObservation(parsed(raw), 'queued', classified, 0).conclusion).toBeNull();
  });

  it('org comes from the organization field when present, else from the owner', () => {
    const raw = withJob({}) as Record<string, unknown>;
    delete raw.organization;
    (repo(raw).owner as Record<string, unknown>).login = 'owner-login';
    expect(toObservation(parsed(raw), 'queued', classified, 0).org).toBe('owner-login');
    raw.organization = { login: 'org-login' };
    expect(toObservation(parsed(raw), 'queued', classified, 0).org).toBe('org-login');
  });
});

// ---------------------------------------------------------------------------------------------
// Malformed payloads: { ok: false, reason }, never a throw.
// ---------------------------------------------------------------------------------------------

describe('parseWorkflowJobEvent: malformed payloads', () => {
  it.each<[string, unknown, string]>([
    ['null', null, 'payload'],
    ['undefined', undefined, 'payload'],
    ['a number', 42, 'payload'],
    ['a string (unparsed body)', JSON.stringify({ action: 'queued' }), 'payload'],
    ['an array', [], 'payload'],
    ['an empty object', {}, 'workflow_job'],
    ['no workflow_job', mutated((p) => delete p.workflow_job), 'workflow_job'],
    ['workflow_job null', mutated((p) => (p.workflow_job = null)), 'workflow_job'],
    ['workflow_job a string', mutated((p) => (p.workflow_job = 'job')), 'workflow_job'],
    ['no action', mutated((p) => delete p.action), 'action'],
    [
      'labels not an array',
      mutated((p) => (job(p).labels = 'self-hosted,modal')),
      'workflow_job.labels',
    ],
    ['labels missing', mutated((p) => delete job(p).labels), 'workflow_job.labels'],
    ['labels null', mutated((p) => (job(p).labels = null)), 'workflow_job.labels'],
    [
      'labels with a number',
      mutated((p) => (job(p).labels = ['modal', 1])),
      'workflow_job.labels.1',
    ],
    ['labels with null', mutated((p) => (job(p).labels = [null])), 'workflow_job.labels.0'],
    [
      'labels with an object',
      mutated((p) => (job(p).labels = [{ name: 'modal' }])),
      'workflow_job.labels.0',
    ],
    ['job id a string', mutated((p) => (job(p).id = '289782451')), 'workflow_job.id'],
    ['job id zero', mutated((p) => (job(p).id = 0)), 'workflow_job.id'],
    ['job id negative', mutated((p) => (job(p).id = -1)), 'workflow_job.id'],
    ['job id fractional', mutated((p) => (job(p).id = 1.5)), 'workflow_job.id'],
    ['run_id missing', mutated((p) => delete job(p).run_id), 'workflow_job.run_id'],
    ['run_attempt zero', mutated((p) => (job(p).run_attempt = 0)), 'workflow_job.run_attempt'],
    ['status missing', mutated((p) => delete job(p).status), 'workflow_job.status'],
    ['status a number', mutated((p) => (job(p).status = 1)), 'workflow_job.status'],
    ['conclusion a number', mutated((p) => (job(p).conclusion = 0)), 'workflow_job.conclusion'],
    ['runner_name a number', mutated((p) => (job(p).runner_name = 5)), 'workflow_job.runner_name'],
    ['repository missing', mutated((p) => delete p.repository), 'repository'],
    ['repository null', mutated((p) => (p.repository = null)), 'repository'],
    [
      'repository full_name without owner',
      mutated((p) => (repo(p).full_name = 'Hello-World')),
      'repository.full_name',
    ],
    [
      'repository full_name with a path',
      mutated((p) => (repo(p).full_name = 'a/b/c')),
      'repository.full_name',
    ],
    [
      'repository private as a string',
      mutated((p) => (repo(p).private = 'false')),
      'repository.private',
    ],
    ['repository private missing', mutated((p) => delete repo(p).private), 'repository.private'],
    ['repository owner missing', mutated((p) => delete repo(p).owner), 'repository.owner'],
    [
      'repository owner type missing',
      mutated((p) => delete (repo(p).owner as Record<string, unknown>).type),
      'repository.owner.type',
    ],
    [
      'installation id a string',
      mutated((p) => (p.installation = { id: '3456996' })),
      'installation.id',
    ],
    ['installation null', mutated((p) => (p.installation = null)), 'installation'],
    ['organization without login', mutated((p) => (p.organization = {})), 'organization.login'],
  ])('%s', (_name, payload, path) => {
    let result: ReturnType<typeof parseWorkflowJobEvent> | undefined;
    expect(() => {
      result = parseWorkflowJobEvent(payload);
    }).not.toThrow();
    expect(result?.ok).toBe(false);
    if (result === undefined || result.ok) return;
    expect(result.reason).toMatch(/^malformed workflow_job payload \(/);
    expect(result.reason).toContain(`${path}: `);
  });

  it('names at most three problems, however many there are', () => {
    const result = parseWorkflowJobEvent({
      action: 1,
      workflow_job: 2,
      repository: 3,
      installation: 4,
    });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.reason.split('; ')).toHaveLength(3);
  });

  it('does not echo the payload back in the reason', () => {
    const result = parseWorkflowJobEvent(
      mutated((p) => (job(p).labels = ['modal', { secret: 'ghs_tokenvalue' }])),
    );
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.reason).not.toContain('ghs_tokenvalue');
  });

  it.each<[string, unknown]>([
    ['extra fields', mutated((p) => (p.extra = { deeply: { nested: [1, 2, 3] } }))],
    ['no installation', mutated((p) => delete p.installation)],
    ['no organization', mutated((p) => delete p.organization)],
    ['no run_attempt (defaults to 1)', mutated((p) => delete job(p).run_attempt)],
    ['no conclusion', mutated((p) => delete job(p).conclusion)],
    ['empty labels', mutated((p) => (job(p).labels = []))],
  ])('tolerates %s', (_name, payload) => {
    const result = parseWorkflowJobEvent(payload);
    expect(result.ok).toBe(true);
    if (result.ok) expect(result.event.workflow_job.run_attempt).toBeGreaterThanOrEqual(1);
  });
});
