/** `owner/repo` or `owner/*`, compared case-insensitively as GitHub does. */
export interface RepoPattern {
  readonly owner: string;
  readonly repo: string | '*';
}

const segment = /^[A-Za-z0-9_.-]+$/;

/** Parses `ALLOWED_REPOS`; returns null when every repository is allowed. */
export function parseRepoAllowlist(value: string | undefined): readonly RepoPattern[] | null {
  if (value === undefined || value.trim() === '') return null;
  return value
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '')
    .map((entry) => {
      const [owner, repo, extra] = entry.split('/');
      if (
        owner === undefined ||
        repo === undefined ||
        extra !== undefined ||
        !segment.test(owner) ||
        (repo !== '*' && !segment.test(repo))
      ) {
        throw new Error(
          `"${entry}" is not "owner/repo" or "owner/*"; example: my-org/api,my-org/*`,
        );
      }
      return { owner: owner.toLowerCase(), repo: repo === '*' ? '*' : repo.toLowerCase() };
    });
}

export function isRepoAllowed(allowlist: readonly RepoPattern[] | null, fullName: string): boolean {
  if (allowlist === null) return true;
  const [owner = '', repo = ''] = fullName.toLowerCase().split('/');
  return allowlist.some((p) => p.owner === owner && (p.repo === '*' || p.repo === repo));
}

/** Which repositories the App serves: ALLOWED_REPOS (null: every one) and ALLOW_PUBLIC_REPOS. */
export interface RepoPolicy {
  readonly allowedRepos: readonly RepoPattern[] | null;
  readonly allowPublicRepos: boolean;
}
