import type { Logger } from 'pino';
import type { RepoPolicy } from '../config/repo-allowlist.js';
import { errorFields } from '../domain/error-fields.js';
import { evaluateRunnerGroup, type RunnerGroupProblem } from '../github/evaluate-runner-group.js';
import { listInstallationRepositories } from '../github/list-installation-repositories.js';
import { planRunnerGroupSync } from '../github/plan-runner-group-sync.js';
import { readRunnerGroup } from '../github/read-runner-group.js';
import type { RestClient } from '../github/rest-response.js';
import { runnerGroupLabel } from '../github/runner-group.js';
import { applyRunnerGroupWrites } from '../github/write-runner-group.js';

/**
 * The runner group, not the app, decides which repositories' jobs can reach our runners: a JIT
 * runner takes any queued job its labels fit in any repository its group admits. So the group of
 * every organization installation is read (at start and each interval) and held to the policy
 * (ALLOWED_REPOS, ALLOW_PUBLIC_REPOS); with RUNNER_GROUP_SYNC the App keeps it in step itself.
 */
export interface RunnerGroupGuard {
  check(): Promise<GuardReport>;
  /** What the status page shows until a check finds it fixed. */
  warnings(): readonly string[];
}

export interface GuardReport {
  readonly problems: readonly { readonly org: string; readonly problem: RunnerGroupProblem }[];
  /** Organizations whose group could not be read or synced, and why. */
  readonly unchecked: readonly { readonly org: string; readonly error: string }[];
  /** Changes RUNNER_GROUP_SYNC made, one line each. */
  readonly changes: readonly string[];
}

export interface RunnerGroupGuardDeps {
  readonly listInstallations: () => Promise<
    readonly { id: number; account: string; kind: 'org' | 'user'; suspended: boolean }[]
  >;
  readonly installationClient: (installationId: number) => Promise<RestClient>;
  readonly groupId: number;
  readonly policy: RepoPolicy;
  /** RUNNER_GROUP_SYNC */
  readonly sync: boolean;
  readonly now: () => number;
  readonly log: Logger;
  /** `https://github.com` or the GHE server's web origin, for settings links in messages. */
  readonly webOrigin?: string;
}

export function createRunnerGroupGuard(deps: RunnerGroupGuardDeps): RunnerGroupGuard {
  let warnings: readonly string[] = [];
  return {
    warnings: () => warnings,
    async check() {
      const report = await checkAll(deps);
      warnings = [
        ...report.problems.map(({ problem }) => `${problem.message}. Fix: ${problem.fix}`),
        ...report.unchecked.map(
          ({ org, error }) => `the runner group of ${org} could not be checked: ${error}`,
        ),
      ];
      return report;
    },
  };
}

async function checkAll(deps: RunnerGroupGuardDeps): Promise<GuardReport> {
  const problems: { org: string; problem: RunnerGroupProblem }[] = [];
  const unchecked: { org: string; error: string }[] = [];
  const changes: string[] = [];
  let installations;
  try {
    installations = (await deps.listInstallations()).filter(
      (i) => i.kind === 'org' && !i.suspended,
    );
  } catch (error) {
    const { message } = errorFields(error);
    deps.log.warn(
      { err: errorFields(error) },
      'could not list installations to check runner groups',
    );
    return { problems, unchecked: [{ org: '(all)', error: message }], changes };
  }
  for (const installation of installations) {
    const org = installation.account;
    try {
      const found = await checkOrg(deps, org, installation.id);
      problems.push(...found.problems.map((problem) => ({ org, problem })));
      changes.push(...found.changes);
    } catch (error) {
      unchecked.push({ org, error: errorFields(error).message });
      deps.log.warn({ org, err: errorFields(error) }, 'could not check the runner group');
    }
  }
  for (const { org, problem } of problems) {
    deps.log.error({ org, problem: problem.kind, fix: problem.fix }, problem.message);
  }
  return { problems, unchecked, changes };
}

async function checkOrg(
  deps: RunnerGroupGuardDeps,
  org: string,
  installationId: number,
): Promise<{ problems: RunnerGroupProblem[]; changes: string[] }> {
  const client = await deps.installationClient(installationId);
  const read = () => readRunnerGroup(client, { org, groupId: deps.groupId, now: deps.now });
  let group = await read();
  const repositories = await listInstallationRepositories(client);
  const changes: string[] = [];
  if (deps.sync) {
    const plan = planRunnerGroupSync(group, repositories, deps.policy);
    if (plan.writes.length > 0) {
      await applyRunnerGroupWrites(client, group, plan.writes, {
        now: deps.now,
        ...(deps.webOrigin ? { webOrigin: deps.webOrigin } : {}),
      });
      for (const change of plan.changes) {
        deps.log.info(
          { org, group: group.id, change },
          `RUNNER_GROUP_SYNC: ${runnerGroupLabel(group)}: ${change}`,
        );
        changes.push(`${org}: ${change}`);
      }
      group = await read();
    }
  }
  const problems = evaluateRunnerGroup(group, deps.policy, {
    orgRepositories: repositories,
    ...(deps.webOrigin ? { webOrigin: deps.webOrigin } : {}),
  });
  return { problems, changes };
}

/**
 * The runner group admits public repositories while ALLOW_PUBLIC_REPOS=false: the server does
 * not start, since any public repository's job (a fork's pull request) could take its runners.
 */
export class RunnerGroupPolicyError extends Error {
  override readonly name = 'RunnerGroupPolicyError';
  constructor(problems: readonly RunnerGroupProblem[]) {
    super(`refusing to start: ${problems.map((p) => `${p.message}. Fix: ${p.fix}`).join('; ')}`);
  }
}

/** Problems that must stop the server from starting. */
export function fatalAtStart(report: GuardReport): RunnerGroupProblem[] {
  return report.problems
    .map(({ problem }) => problem)
    .filter((problem) => problem.kind === 'admits-public-repositories');
}
