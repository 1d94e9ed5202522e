import { isRepoAllowed, type RepoPolicy } from '../config/repo-allowlist.js';
import {
  runnerGroupLabel,
  runnerGroupSettingsUrl,
  type RepositoryRef,
  type RunnerGroup,
} from './runner-group.js';

/** A way the runner group lets jobs the App refuses reach its runners. */
export interface RunnerGroupProblem {
  readonly kind: 'admits-public-repositories' | 'admits-repositories-outside-allowlist';
  /** What is wrong; names the group and its organization. */
  readonly message: string;
  /** Exactly what to change. */
  readonly fix: string;
  /** Some of the repositories concerned (at most `EXAMPLES`), when known. */
  readonly repositories: readonly string[];
}

export interface EvaluateRunnerGroupOptions {
  /** Repositories of the organization known to the caller (e.g. the installation's), for examples. */
  readonly orgRepositories?: readonly RepositoryRef[];
  /** `https://github.com` or the GHE server's web origin. */
  readonly webOrigin?: string;
}

/** How many repositories a problem lists. */
export const EXAMPLES = 10;

/**
 * Whether the runner group enforces the App's repository policy. A JIT runner is not bound to the
 * job it was launched for: GitHub hands it to any queued job whose labels it covers, in any
 * repository the group admits. So a group that admits public repositories while
 * ALLOW_PUBLIC_REPOS=false, or repositories outside ALLOWED_REPOS (`all` and `private` admit every
 * repository of the organization, `selected` its list), lets refused jobs take our runners.
 * Returns nothing when the group is as narrow as the policy.
 */
export function evaluateRunnerGroup(
  group: RunnerGroup,
  policy: RepoPolicy,
  options: EvaluateRunnerGroupOptions = {},
): RunnerGroupProblem[] {
  const label = runnerGroupLabel(group);
  const settings = runnerGroupSettingsUrl(group, options.webOrigin);
  const problems: RunnerGroupProblem[] = [];
  // A `private` group admits private repositories only, whatever its public flag says.
  const admitsPublic = group.allowsPublicRepositories && group.visibility !== 'private';
  if (admitsPublic && !policy.allowPublicRepos) {
    problems.push({
      kind: 'admits-public-repositories',
      message:
        `${label} admits public repositories while ALLOW_PUBLIC_REPOS=false: a job of a public ` +
        "repository (a fork's pull request included) can take a runner launched for another job",
      fix:
        `untick "Allow public repositories" at ${settings} (or set RUNNER_GROUP_SYNC=true to let ` +
        'the App keep it off); set ALLOW_PUBLIC_REPOS=true only if public repositories may use these runners',
      repositories: admittedBy(group, options.orgRepositories ?? [])
        .filter((r) => r.private === false)
        .map((r) => r.fullName)
        .slice(0, EXAMPLES),
    });
  }
  const outside = outsideAllowlist(group, policy, options.orgRepositories ?? []);
  if (outside !== undefined) {
    const examples = outside.slice(0, EXAMPLES);
    const listed =
      examples.length === 0
        ? ''
        : ` (${examples.join(', ')}${outside.length > examples.length ? `, and ${outside.length - examples.length} more` : ''})`;
    const admits =
      group.visibility === 'selected'
        ? `admits ${outside.length} repositor${outside.length === 1 ? 'y' : 'ies'} outside ALLOWED_REPOS${listed}`
        : `admits every ${group.visibility === 'private' ? 'private ' : ''}repository of ${group.org} (visibility "${group.visibility}"), not only ALLOWED_REPOS${listed}`;
    problems.push({
      kind: 'admits-repositories-outside-allowlist',
      message: `${label} ${admits}: their jobs, even \`runs-on: self-hosted\` ones the App ignores, can take runners launched for allowed jobs`,
      fix:
        group.visibility === 'selected'
          ? `remove them from the group at ${settings}, or add them to ALLOWED_REPOS (or set RUNNER_GROUP_SYNC=true to let the App keep the group in step)`
          : `at ${settings} set "Repository access" to "Selected repositories" and choose the ones in ALLOWED_REPOS (or set RUNNER_GROUP_SYNC=true to let the App keep the group in step)`,
      repositories: examples,
    });
  }
  return problems;
}

/**
 * The repositories the group admits: a `selected` group its list, otherwise those of `known` in
 * its organization (private ones only for `private`); public ones only with the public flag.
 */
function admittedBy(group: RunnerGroup, known: readonly RepositoryRef[]): RepositoryRef[] {
  const org = group.org.toLowerCase();
  const candidates =
    group.visibility === 'selected'
      ? (group.repositories ?? [])
      : known.filter(
          (r) =>
            ownerOf(r.fullName) === org && (group.visibility !== 'private' || r.private !== false),
        );
  return candidates.filter((r) => r.private !== false || group.allowsPublicRepositories);
}

/**
 * The repositories the group admits that ALLOWED_REPOS does not allow (examples when the group
 * admits the whole organization); undefined when there are none.
 */
function outsideAllowlist(
  group: RunnerGroup,
  policy: RepoPolicy,
  known: readonly RepositoryRef[],
): string[] | undefined {
  if (policy.allowedRepos === null) return undefined;
  const notAllowed = (r: RepositoryRef) => !isRepoAllowed(policy.allowedRepos, r.fullName);
  if (group.visibility === 'selected') {
    const outside = admittedBy(group, []).filter(notAllowed);
    return outside.length > 0 ? outside.map((r) => r.fullName) : undefined;
  }
  const org = group.org.toLowerCase();
  const wholeOrgAllowed = policy.allowedRepos.some((p) => p.owner === org && p.repo === '*');
  if (wholeOrgAllowed) return undefined;
  return admittedBy(group, known)
    .filter(notAllowed)
    .map((r) => r.fullName);
}

function ownerOf(fullName: string): string {
  return (fullName.split('/')[0] ?? '').toLowerCase();
}
