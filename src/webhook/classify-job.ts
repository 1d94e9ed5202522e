import type { RepoPattern } from '../config/repo-allowlist.js';
import { isRepoAllowed } from '../config/repo-allowlist.js';
import type { RunnerClass } from '../config/runner-class.js';
import { GENERIC_LABELS } from '../config/runner-classes.js';
import type { RunnerScope } from '../domain/runner-scope.js';
import type { WorkflowJobEvent } from './workflow-job-event.js';

export interface ClassifyPolicy {
  readonly classes: ReadonlyMap<string, RunnerClass>;
  readonly allowedRepos: readonly RepoPattern[] | null;
  readonly allowPublicRepos: boolean;
}

export type Classification =
  | {
      readonly kind: 'ours';
      readonly runnerClass: RunnerClass;
      readonly scope: RunnerScope;
      readonly installationId: number;
    }
  /** Not addressed to us at all (no label of ours): ignored quietly. */
  | { readonly kind: 'ignored'; readonly reason: string }
  /** Addressed to us but refused: logged with the reason, never launched. */
  | { readonly kind: 'refused'; readonly reason: string };

const generic = new Set<string>(GENERIC_LABELS);

/**
 * Decides whether a job is ours, and for which runner class. Pure: no I/O, no clock.
 *
 * A job is ours when its labels name exactly one runner class and every other label is
 * `self-hosted`, `linux` or `x64` (case-insensitively), in an allowed repository.
 */
export function classifyJob(event: WorkflowJobEvent, policy: ClassifyPolicy): Classification {
  const labels = event.workflow_job.labels.map((l) => l.toLowerCase());
  const classNames = [...new Set(labels.filter((l) => policy.classes.has(l)))];
  const known = [...policy.classes.keys()].join(', ');

  if (classNames.length === 0) {
    const lookalike = labels.find((l) =>
      [...policy.classes.keys()].some((c) => l.startsWith(`${c}-`) || l.startsWith(`${c}_`)),
    );
    if (lookalike !== undefined) {
      return {
        kind: 'refused',
        reason: `unknown runner class "${lookalike}" (known: ${known}); add it to RUNNER_CLASSES or fix runs-on`,
      };
    }
    return { kind: 'ignored', reason: 'no runner class label' };
  }
  if (classNames.length > 1) {
    return {
      kind: 'refused',
      reason: `runs-on names several runner classes (${classNames.join(', ')}); a runner has exactly one`,
    };
  }
  const className = classNames[0] as string;
  const runnerClass = policy.classes.get(className) as RunnerClass;
  const extra = labels.filter((l) => l !== className && !generic.has(l));
  if (extra.length > 0) {
    return {
      kind: 'refused',
      reason: `labels ${extra.map((l) => `"${l}"`).join(', ')} cannot be satisfied: our runners carry only self-hosted, Linux, X64 and their class (${className})`,
    };
  }
  const repo = event.repository.full_name;
  if (!isRepoAllowed(policy.allowedRepos, repo)) {
    return { kind: 'refused', reason: `repository ${repo} is not in ALLOWED_REPOS` };
  }
  const isPublic = !event.repository.private || event.repository.visibility === 'public';
  if (isPublic && !policy.allowPublicRepos) {
    return {
      kind: 'refused',
      reason: `repository ${repo} is public: self-hosted runners would run strangers' fork pull requests; set ALLOW_PUBLIC_REPOS=true to allow it`,
    };
  }
  if (event.installation === undefined) {
    return {
      kind: 'refused',
      reason:
        'payload has no installation: the App must be installed on the organization or account',
    };
  }
  const owner = event.repository.owner;
  const scope: RunnerScope =
    owner.type === 'Organization' || event.organization !== undefined
      ? { kind: 'org', org: event.organization?.login ?? owner.login }
      : { kind: 'repo', owner: owner.login, repo: event.repository.name };
  return { kind: 'ours', runnerClass, scope, installationId: event.installation.id };
}
