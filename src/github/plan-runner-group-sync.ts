import { isRepoAllowed, type RepoPolicy } from '../config/repo-allowlist.js';
import type { RepositoryRef, RunnerGroup, RunnerGroupWrite } from './runner-group.js';

export interface RunnerGroupSyncPlan {
  /** The changes, in the order to make them; empty when the group already matches. */
  readonly writes: readonly RunnerGroupWrite[];
  /** Full names the group admits once the writes are made. */
  readonly repositories: readonly string[];
  /** Repositories the group starts admitting (by name). */
  readonly added: readonly string[];
  /**
   * Repositories it stops admitting, when it listed them (`selected`); a group that admitted the
   * whole organization narrows to `repositories` instead.
   */
  readonly removed: readonly string[];
  /** One line per change, for the log. */
  readonly changes: readonly string[];
}

/**
 * What RUNNER_GROUP_SYNC changes so that the runner group admits exactly the installation's
 * repositories that the App serves (ALLOWED_REPOS, and public ones only with
 * ALLOW_PUBLIC_REPOS=true), and its public flag equals ALLOW_PUBLIC_REPOS. First a `PATCH` to
 * `selected` visibility and the flag (when either differs), then a `PUT` of the repository ids
 * (when the group was not `selected`, or its list differs). Pure: no I/O.
 */
export function planRunnerGroupSync(
  group: RunnerGroup,
  installationRepos: readonly RepositoryRef[],
  policy: RepoPolicy,
): RunnerGroupSyncPlan {
  const org = group.org.toLowerCase();
  const wanted = uniqueById(installationRepos).filter(
    (r) =>
      (r.fullName.split('/')[0] ?? '').toLowerCase() === org &&
      isRepoAllowed(policy.allowedRepos, r.fullName) &&
      (policy.allowPublicRepos || r.private !== false),
  );
  const wantedIds = new Set(wanted.map((r) => r.id));
  const selected = group.visibility === 'selected';
  const current = selected ? group.repositories : undefined;
  const currentIds = new Set((current ?? []).map((r) => r.id));

  const writes: RunnerGroupWrite[] = [];
  const changes: string[] = [];
  if (!selected || group.allowsPublicRepositories !== policy.allowPublicRepos) {
    writes.push({
      kind: 'update',
      visibility: 'selected',
      allowsPublicRepositories: policy.allowPublicRepos,
    });
    if (!selected) changes.push(`visibility ${group.visibility} → selected`);
    if (group.allowsPublicRepositories !== policy.allowPublicRepos) {
      changes.push(
        `allows_public_repositories ${group.allowsPublicRepositories} → ${policy.allowPublicRepos}`,
      );
    }
  }
  const added = wanted.filter((r) => !currentIds.has(r.id)).map((r) => r.fullName);
  const removed = (current ?? []).filter((r) => !wantedIds.has(r.id)).map((r) => r.fullName);
  // An unlisted `selected` group (current undefined) is replaced whole, like any other.
  if (!selected || current === undefined || added.length > 0 || removed.length > 0) {
    writes.push({ kind: 'set-repositories', repositoryIds: [...wantedIds].sort((a, b) => a - b) });
    changes.push(
      `repositories: ${wanted.length} (${added.length > 0 ? `+${added.join(', +')}` : 'none added'}` +
        `${removed.length > 0 ? `; -${removed.join(', -')}` : ''})`,
    );
  }
  return {
    writes,
    repositories: wanted.map((r) => r.fullName),
    added,
    removed,
    changes,
  };
}

function uniqueById(repos: readonly RepositoryRef[]): RepositoryRef[] {
  const seen = new Map<number, RepositoryRef>();
  for (const r of repos) if (!seen.has(r.id)) seen.set(r.id, r);
  return [...seen.values()];
}
