/** Where a runner is registered: the organization, or one repository of a user account. */
export type RunnerScope =
  | { readonly kind: 'org'; readonly org: string }
  | { readonly kind: 'repo'; readonly owner: string; readonly repo: string };

/** `org:<org>` or `repo:<owner>/<repo>`: a scope as one string, for tags and map keys. */
export function scopeKey(scope: RunnerScope): string {
  return scope.kind === 'org' ? `org:${scope.org}` : `repo:${scope.owner}/${scope.repo}`;
}

/** The scope a `scopeKey` names; undefined for anything else. */
export function parseScopeKey(key: string): RunnerScope | undefined {
  const org = /^org:([^/]+)$/.exec(key);
  if (org?.[1]) return { kind: 'org', org: org[1] };
  const repo = /^repo:([^/]+)\/([^/]+)$/.exec(key);
  if (repo?.[1] && repo[2]) return { kind: 'repo', owner: repo[1], repo: repo[2] };
  return undefined;
}
