import type { Config } from '../config/config.js';
import { translateGitHubError, type GitHubError } from '../github/github-error.js';
import { result, type CheckResult } from './check-result.js';
import type { DoctorGitHub, DoctorGitHubClient } from './doctor-github.js';
import {
  evaluateAppEvents,
  evaluateAppPermissions,
  evaluateHookConfig,
  evaluateInstallation,
  evaluateRunnerGroup,
  type HookConfig,
  type InstallationInfo,
  type RunnerGroupInfo,
} from './github-evaluations.js';
import { githubUrls, type AppInfo, type GitHubUrls } from './github-urls.js';
import {
  newestLinuxX64Version,
  type NewestRunner,
  type RunnerDownload,
} from './runner-version-check.js';

export interface GitHubChecksOptions {
  readonly github: DoctorGitHub;
  readonly config: Config;
  /** WEBHOOK_PROXY_URL (not part of Config: only the server's start reads it). */
  readonly proxyUrl: string | undefined;
  readonly now: () => number;
}

export interface GitHubChecksOutcome {
  readonly results: CheckResult[];
  /** The newest runner release, as the first organization that could be asked reported it. */
  readonly newestRunner: NewestRunner;
}

/** At most this many pages of installations or group repositories (100 each). */
const MAX_PAGES = 10;

/**
 * The App (JWT, events, permissions, webhook), its installations and, for each organization,
 * the runner group RUNNER_GROUP_ID; also asks the first organization that answers for the
 * newest runner release. Every failure is reported with its fix, never thrown.
 */
export async function runGitHubChecks(options: GitHubChecksOptions): Promise<GitHubChecksOutcome> {
  const { github, config, now } = options;
  const results: CheckResult[] = [];
  const translate = (operation: string, error: unknown, installationId?: number) =>
    translateGitHubError(operation, error, {
      now: now(),
      ...(installationId === undefined ? {} : { installationId }),
    });

  // 1. The App's JWT.
  let appClient: DoctorGitHubClient;
  let app: AppInfo;
  try {
    appClient = await github.app();
    app = asObject<AppInfo>(await appClient.get('GET /app'));
  } catch (error) {
    const failure = translate('get-app', error);
    results.push(
      result.fail('GitHub App', 'App authentication', `GET /app failed: ${headline(failure)}`, {
        details: [failure.message],
        fix: appAuthFix(failure, config),
      }),
      result.skip('GitHub App', 'events and webhook', 'skipped: the App could not authenticate'),
      result.skip('Installations', 'installations', 'skipped: the App could not authenticate'),
    );
    return { results, newestRunner: { kind: 'unknown', reason: 'the App could not authenticate' } };
  }
  const urls = githubUrls(app, config.github.baseUrl);
  results.push(
    result.pass(
      'GitHub App',
      'App authentication',
      `"${app.name ?? app.slug ?? '?'}" (slug ${app.slug ?? '?'}, id ${app.id ?? '?'}) accepts the JWT signed with APP_ID and the private key`,
      { details: [`settings: ${urls.appGeneral}`] },
    ),
    evaluateAppEvents(app, urls),
    evaluateAppPermissions(app, urls),
  );

  // 2. The webhook.
  try {
    const hook = asObject<HookConfig>(await appClient.get('GET /app/hook/config'));
    results.push(
      ...evaluateHookConfig(
        hook,
        { webhookPath: config.github.webhookPath, proxyUrl: options.proxyUrl },
        urls,
      ),
    );
  } catch (error) {
    const failure = translate('get-webhook-config', error);
    results.push(
      result.fail('GitHub App', 'webhook', `GET /app/hook/config failed: ${headline(failure)}`, {
        details: [failure.message],
        fix:
          failure.status === 404
            ? `the App has no webhook: at ${urls.appGeneral} tick "Active" under Webhook, set the Webhook URL (https://<your host>${config.github.webhookPath}) and the Webhook secret (WEBHOOK_SECRET)`
            : `check the App's webhook at ${urls.appGeneral}`,
      }),
    );
  }

  // 3. Installations.
  let installations: InstallationInfo[];
  try {
    installations = await listPages<InstallationInfo>(appClient, 'GET /app/installations', {});
  } catch (error) {
    const failure = translate('list-installations', error);
    results.push(
      result.fail(
        'Installations',
        'installations',
        `GET /app/installations failed: ${headline(failure)}`,
        {
          details: [failure.message],
          fix: 'run the doctor again; if it persists, check the App at ' + urls.appGeneral,
        },
      ),
    );
    return {
      results,
      newestRunner: { kind: 'unknown', reason: 'installations could not be listed' },
    };
  }
  if (installations.length === 0) {
    results.push(
      result.fail(
        'Installations',
        'installations',
        'the App is not installed anywhere: no job can reach it',
        {
          fix: `install it on your organization at ${urls.appInstall}`,
        },
      ),
    );
    return { results, newestRunner: { kind: 'unknown', reason: 'the App has no installation' } };
  }
  results.push(
    result.info(
      'Installations',
      'installations',
      `${installations.length} installation(s): ${installations.map((i) => i.account?.login ?? `#${i.id}`).join(', ')}`,
    ),
  );

  let newestRunner: NewestRunner = {
    kind: 'unknown',
    reason: 'no organization installation could be asked',
  };
  for (const installation of installations) {
    const verdict = evaluateInstallation(installation, app, urls);
    results.push(verdict.result);
    const org = verdict.org;
    if (org === undefined) continue;
    let client: DoctorGitHubClient;
    try {
      client = await github.installation(installation.id);
    } catch (error) {
      const failure = translate('installation-token', error, installation.id);
      results.push(
        result.fail(
          'Installations',
          `runner group ${org}`,
          `no installation token: ${headline(failure)}`,
          {
            details: [failure.message],
            fix: `check the installation at ${urls.installation(org, installation.id, true)} (suspended? uninstalled?)`,
          },
        ),
      );
      continue;
    }
    results.push(await checkRunnerGroup(client, org, installation.id, config, urls, translate));
    if (newestRunner.kind === 'unknown') {
      newestRunner = await askNewestRunner(client, org, translate, newestRunner);
    }
  }
  return { results, newestRunner };
}

async function checkRunnerGroup(
  client: DoctorGitHubClient,
  org: string,
  installationId: number,
  config: Config,
  urls: GitHubUrls,
  translate: (operation: string, error: unknown) => GitHubError,
): Promise<CheckResult> {
  const groupId = config.runners.groupId;
  const name = `runner group ${org}`;
  let group: RunnerGroupInfo;
  try {
    group = asObject<RunnerGroupInfo>(
      await client.get('GET /orgs/{org}/actions/runner-groups/{runner_group_id}', {
        org,
        runner_group_id: groupId,
      }),
    );
  } catch (error) {
    const failure = translate('get-runner-group', error);
    if (failure.status === 404) {
      return result.fail(
        'Installations',
        name,
        `RUNNER_GROUP_ID=${groupId} is not a runner group of ${org}: every JIT registration would fail`,
        {
          fix: `list the groups with \`gh api orgs/${org}/actions/runner-groups --jq '.runner_groups[] | [.id,.name]'\` (or create one at ${urls.runnerGroups(org)}) and set RUNNER_GROUP_ID to its id`,
        },
      );
    }
    return result.fail(
      'Installations',
      name,
      `could not read the runner group: ${headline(failure)}`,
      {
        details: [failure.message],
        fix:
          failure.status === 403
            ? `the installation lacks "Organization permissions → Self-hosted runners": add it at ${urls.appPermissions} and accept it at ${urls.installation(org, installationId, true)}`
            : 'run the doctor again; if it persists, check GitHub\u2019s status',
      },
    );
  }
  let repositories: string[] | undefined;
  let listProblem: string | undefined;
  if (group.visibility === 'selected') {
    try {
      const repos = await listPages<{ full_name?: string }>(
        client,
        'GET /orgs/{org}/actions/runner-groups/{runner_group_id}/repositories',
        { org, runner_group_id: groupId },
        'repositories',
      );
      repositories = repos.map((r) => r.full_name ?? '?');
    } catch (error) {
      listProblem = translate('list-runner-group-repositories', error).message;
    }
  }
  const verdict = evaluateRunnerGroup(
    org,
    group,
    repositories,
    {
      groupId,
      allowPublicRepos: config.policy.allowPublicRepos,
      allowedRepos: config.policy.allowedRepos,
    },
    urls,
  );
  if (listProblem === undefined) return verdict;
  return result.warn('Installations', name, verdict.summary, {
    details: [`its repositories could not be listed: ${listProblem}`, ...(verdict.details ?? [])],
    fix: verdict.fix ?? `check the group at ${urls.runnerGroup(org, groupId)}`,
  });
}

async function askNewestRunner(
  client: DoctorGitHubClient,
  org: string,
  translate: (operation: string, error: unknown) => GitHubError,
  previous: NewestRunner,
): Promise<NewestRunner> {
  try {
    const downloads = await client.get('GET /orgs/{org}/actions/runners/downloads', { org });
    const version = newestLinuxX64Version(
      Array.isArray(downloads) ? (downloads as RunnerDownload[]) : [],
    );
    return version
      ? { kind: 'known', version, org }
      : { kind: 'unknown', reason: `org ${org} listed no linux x64 runner download` };
  } catch (error) {
    const failure = translate('list-runner-downloads', error);
    return previous.kind === 'unknown'
      ? {
          kind: 'unknown',
          reason: `GET /orgs/${org}/actions/runners/downloads failed: ${headline(failure)}`,
        }
      : previous;
  }
}

/** Every page of a list (`per_page=100`); `key` names the array in an object response. */
async function listPages<T>(
  client: DoctorGitHubClient,
  route: string,
  params: Readonly<Record<string, string | number>>,
  key?: string,
): Promise<T[]> {
  const all: T[] = [];
  for (let page = 1; page <= MAX_PAGES; page++) {
    const data = await client.get(route, { ...params, per_page: 100, page });
    const items = key === undefined ? data : (data as Record<string, unknown> | null)?.[key];
    const list = Array.isArray(items) ? (items as T[]) : [];
    all.push(...list);
    if (list.length < 100) break;
  }
  return all;
}

function asObject<T>(data: unknown): T {
  return (typeof data === 'object' && data !== null ? data : {}) as T;
}

/** A short reason: the HTTP status and GitHub's message, or the error's code. */
function headline(error: GitHubError): string {
  if (error.code === 'network') return 'no answer from GitHub (network)';
  const status = error.status === undefined ? error.code : `${error.status}`;
  return error.githubMessage ? `${status} "${error.githubMessage}"` : status;
}

function appAuthFix(error: GitHubError, config: Config): string {
  const where = config.github.baseUrl ?? 'https://api.github.com';
  switch (error.code) {
    case 'unauthorized':
      return (
        'GitHub refused the App\u2019s JWT: APP_ID must be the App ID shown on the App settings page, and PRIVATE_KEY ' +
        '(or PRIVATE_KEY_PATH) a private key of that App ("Generate a private key" there; revoked keys stop working); ' +
        'also check that this machine\u2019s clock is right'
      );
    case 'not-found':
      return `no App with APP_ID=${config.github.appId} at ${where}: check APP_ID${config.github.baseUrl ? ' and GHE_HOST' : ''}`;
    case 'network':
      return `GitHub (${where}) could not be reached: check GHE_HOST / GHE_PROTOCOL, DNS, proxies and the firewall`;
    default:
      return `check APP_ID and PRIVATE_KEY, and that ${where} is GitHub\u2019s API`;
  }
}
