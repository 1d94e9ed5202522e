import type { RepoPolicy } from '../config/repo-allowlist.js';
import { evaluateRunnerGroup } from '../github/evaluate-runner-group.js';
import { GitHubError } from '../github/github-error.js';
import { listInstallationRepositories } from '../github/list-installation-repositories.js';
import { readRunnerGroup } from '../github/read-runner-group.js';
import type { RepositoryRef, RunnerGroup } from '../github/runner-group.js';
import { result, type CheckResult } from './check-result.js';
import {
  translate,
  type DoctorCheck,
  type DoctorContext,
  type OrgInstallation,
} from './doctor-context.js';
import { headline } from './doctor-github.js';
import type { GitHubUrls } from './github-urls.js';

/**
 * For each organization installation, the runner group RUNNER_GROUP_ID: that it exists, and that
 * it admits no repository the App refuses (public ones while ALLOW_PUBLIC_REPOS=false, others
 * outside ALLOWED_REPOS): GitHub gives our runners to any job the group admits.
 */
export const runnerGroupCheck: DoctorCheck = {
  topic: 'runner group',
  section: 'Runner group',
  lane: 'github',
  async run(ctx) {
    const { orgs, app } = ctx.facts;
    if (orgs === undefined || orgs.length === 0 || app === undefined) {
      return [
        result.skip(
          'Runner group',
          'runner group',
          `skipped: ${ctx.facts.noOrgs ?? 'no organization installation'}`,
        ),
      ];
    }
    const results: CheckResult[] = [];
    for (const org of orgs) results.push(await checkOrg(ctx, org, app.urls));
    return results;
  },
};

async function checkOrg(
  ctx: DoctorContext,
  { org, installationId, client, tokenError }: OrgInstallation,
  urls: GitHubUrls,
): Promise<CheckResult> {
  const name = `runner group ${org}`;
  const groupId = ctx.config.runners.groupId;
  if (client === undefined) {
    const failure = tokenError ?? translate(ctx, 'installation-token', undefined, installationId);
    return result.fail('Runner group', name, `no installation token: ${headline(failure)}`, {
      details: [failure.message],
      fix: `check the installation at ${urls.installation(org, installationId, true)} (suspended? uninstalled?)`,
    });
  }
  let group: RunnerGroup;
  try {
    group = await readRunnerGroup(client, { org, groupId, now: ctx.now });
  } catch (error) {
    return unreadable(ctx, error, org, installationId, urls);
  }
  const policy = ctx.config.policy;
  let known: RepositoryRef[] | undefined;
  let knownProblem: string | undefined;
  // A group open to the whole organization: the installation's repositories give examples.
  if (group.visibility !== 'selected' && evaluateRunnerGroup(group, policy).length > 0) {
    try {
      known = await listInstallationRepositories(client, { now: ctx.now });
    } catch (error) {
      knownProblem = translate(ctx, 'list-installation-repositories', error).message;
    }
  }
  const verdict = judgeRunnerGroup(group, policy, urls, known);
  if (knownProblem === undefined) return verdict;
  return {
    ...verdict,
    details: [...(verdict.details ?? []), `examples unavailable: ${knownProblem}`],
  };
}

function unreadable(
  ctx: DoctorContext,
  error: unknown,
  org: string,
  installationId: number,
  urls: GitHubUrls,
): CheckResult {
  const name = `runner group ${org}`;
  const groupId = ctx.config.runners.groupId;
  const failure = error instanceof GitHubError ? error : translate(ctx, 'get-runner-group', error);
  if (failure.code === 'not-found') {
    return result.fail(
      'Runner group',
      name,
      `RUNNER_GROUP_ID=${groupId} is not a runner group of ${org}: every JIT registration would fail`,
      {
        fix: `list the groups with \`gh api orgs/${org}/actions/runner-groups --jq '.runner_groups[] | [.id,.name]'\` (or create one at ${urls.runnerGroups(org)}) and set RUNNER_GROUP_ID to its id`,
      },
    );
  }
  const listing = failure.operation === 'list-runner-group-repositories';
  return result.fail(
    'Runner group',
    name,
    `could not ${listing ? 'list the repositories the group admits' : 'read the runner group'}: ${headline(failure)}`,
    {
      details: [failure.message],
      fix:
        failure.code === 'forbidden'
          ? `the installation lacks "Organization permissions → Self-hosted runners": add it at ${urls.appPermissions} and accept it at ${urls.installation(org, installationId, true)}`
          : 'run the doctor again; if it persists, check GitHub\u2019s status',
    },
  );
}

/**
 * The doctor's verdict on a runner group. FAIL when it admits repositories the App refuses
 * (`evaluateRunnerGroup`); WARN when it is narrower than the App expects (no repository at all,
 * ALLOWED_REPOS or ALLOW_PUBLIC_REPOS naming what it does not admit, workflow restrictions);
 * otherwise PASS, saying what it admits. `known` are repositories of the organization, for
 * examples. Pure.
 */
export function judgeRunnerGroup(
  group: RunnerGroup,
  policy: RepoPolicy,
  urls: GitHubUrls,
  known?: readonly RepositoryRef[],
): CheckResult {
  const name = `runner group ${group.org}`;
  const settings = urls.runnerGroup(group.org, group.id);
  const problems = evaluateRunnerGroup(group, policy, {
    webOrigin: urls.web,
    ...(known ? { orgRepositories: known } : {}),
  });
  const { admits, details, warnings, fixes } = describeGroup(group, policy, settings);
  const summary = `"${group.name}" (RUNNER_GROUP_ID=${group.id}) ${admits}`;
  if (problems.length > 0) {
    const isDefault = group.isDefault
      ? [
          "it is the organization's Default group: runners registered without a group join it too, and on some plans its repository access cannot be restricted; a runner group of its own for these runners (RUNNER_GROUP_ID) avoids both",
        ]
      : [];
    return result.fail('Runner group', name, summary, {
      details: [...problems.map((p) => p.message), ...isDefault, ...warnings, ...details],
      fix: [...problems.map((p) => p.fix), ...fixes].join('; '),
    });
  }
  if (warnings.length > 0) {
    return result.warn('Runner group', name, summary, {
      details: [...warnings, ...details],
      fix: fixes.join('; '),
    });
  }
  return result.pass('Runner group', name, summary, { details });
}

/** What the group admits, and where it is narrower than the App expects. */
function describeGroup(group: RunnerGroup, policy: RepoPolicy, settings: string) {
  const details: string[] = [];
  const warnings: string[] = [];
  const fixes: string[] = [];
  let admits: string;
  if (group.visibility === 'all') {
    admits = `admits all repositories${group.allowsPublicRepositories ? ', public ones included' : ' except public ones'}`;
  } else if (group.visibility === 'private') admits = 'admits private repositories only';
  else if (group.visibility === 'selected') {
    const list = (group.repositories ?? []).map((r) => r.fullName);
    admits = `admits ${list.length} selected repositor${list.length === 1 ? 'y' : 'ies'}`;
    if (list.length > 0) {
      const shown = list.slice(0, 20);
      details.push(
        `admits: ${shown.join(', ')}${list.length > shown.length ? `, … (${list.length - shown.length} more)` : ''}`,
      );
    } else {
      warnings.push('no repository may use it: every job would wait forever');
      fixes.push(`add the repositories that may use Modal runners at ${settings}`);
    }
    const admitted = new Set(list.map((r) => r.toLowerCase()));
    const missing = (policy.allowedRepos ?? [])
      .filter((p) => p.owner === group.org.toLowerCase() && p.repo !== '*')
      .map((p) => `${p.owner}/${p.repo}`)
      .filter((r) => !admitted.has(r));
    if (missing.length > 0) {
      warnings.push(
        `ALLOWED_REPOS allows ${missing.join(', ')}, which the group does not admit: their jobs get runners they cannot use`,
      );
      fixes.push(
        `add ${missing.join(', ')} to the group at ${settings}, or remove them from ALLOWED_REPOS`,
      );
    }
  } else admits = `visibility "${group.visibility}"`;
  if (!group.allowsPublicRepositories && policy.allowPublicRepos) {
    warnings.push(
      'ALLOW_PUBLIC_REPOS=true, but the group does not allow public repositories: their jobs get runners GitHub will not give them',
    );
    fixes.push(`tick "Allow public repositories" at ${settings}, or set ALLOW_PUBLIC_REPOS=false`);
  } else if (!group.allowsPublicRepositories) {
    details.push('public repositories are not allowed (matches ALLOW_PUBLIC_REPOS=false)');
  }
  if (group.restrictedToWorkflows) {
    warnings.push(
      `only selected workflows may use it (${group.selectedWorkflows.join(', ') || 'none listed'}): jobs of other workflows never get a runner`,
    );
    fixes.push(
      `allow all workflows at ${settings}, or list every workflow that uses runs-on: modal`,
    );
  }
  return { admits, details, warnings, fixes };
}
