import type { RunnerScope } from '../domain/runner-scope.js';

/**
 * Calls the org or the repo form of a GitHub endpoint (`…ForOrg`, `…ForRepo`) with the scope's
 * parameters (`org`, or `owner` and `repo`) and `params`.
 */
export function callForScope<P extends object, R>(
  scope: RunnerScope,
  params: P,
  forOrg: (parameters: { org: string } & P) => R,
  forRepo: (parameters: { owner: string; repo: string } & P) => R,
): R {
  return scope.kind === 'org'
    ? forOrg({ org: scope.org, ...params })
    : forRepo({ owner: scope.owner, repo: scope.repo, ...params });
}
