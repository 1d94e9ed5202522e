import type { RunnerScope } from '../domain/runner-scope.js';

/** Describes a scope for messages and logs: `org acme`, `repo octo/hello`. */
export function scopeLabel(scope: RunnerScope): string {
  return scope.kind === 'org' ? `org ${scope.org}` : `repo ${scope.owner}/${scope.repo}`;
}
