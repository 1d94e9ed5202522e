/**
 * Pure judgements of what GitHub answered: each takes the data of one call (and the
 * configuration) and returns the doctor's verdict with the exact fix. No I/O here; the calls
 * are made by github-checks.ts.
 */
import { isRepoAllowed, type RepoPattern } from '../config/repo-allowlist.js';
import { result, type CheckResult } from './check-result.js';
import type { AppInfo, GitHubUrls } from './github-urls.js';

/** `GET /app/hook/config`. GitHub shows a set secret as `********`. */
export interface HookConfig {
  readonly url?: string | null;
  readonly content_type?: string | null;
  readonly insecure_ssl?: string | number | null;
  readonly secret?: string | null;
}

/** One element of `GET /app/installations`. */
export interface InstallationInfo {
  readonly id: number;
  readonly account?: { readonly login?: string; readonly type?: string } | null;
  /** `Organization` or `User`. */
  readonly target_type?: string;
  readonly permissions?: Readonly<Record<string, string | undefined>>;
  readonly suspended_at?: string | null;
  readonly repository_selection?: string;
}

/** `GET /orgs/{org}/actions/runner-groups/{runner_group_id}`. */
export interface RunnerGroupInfo {
  readonly id: number;
  readonly name?: string;
  /** `all`, `selected` or `private`. */
  readonly visibility?: string;
  readonly default?: boolean;
  readonly allows_public_repositories?: boolean;
  readonly restricted_to_workflows?: boolean;
  readonly selected_workflows?: readonly string[];
}

export interface RequiredPermission {
  readonly key: string;
  readonly level: 'read' | 'write';
  /** How the App settings page names it. */
  readonly label: string;
}

/** What the server needs from an organization installation. */
export const REQUIRED_PERMISSIONS: readonly RequiredPermission[] = [
  {
    key: 'organization_self_hosted_runners',
    level: 'write',
    label: 'Organization permissions → Self-hosted runners: Read and write',
  },
  {
    key: 'actions',
    level: 'read',
    label: 'Repository permissions → Actions: Read-only',
  },
];

const ADMINISTRATION: RequiredPermission = {
  key: 'administration',
  level: 'write',
  label: 'Repository permissions → Administration: Read and write',
};

const RANK: Readonly<Record<string, number>> = { read: 1, write: 2, admin: 3 };

/** True when `granted` (GitHub's `read`/`write`/`admin`) covers `needed`. */
export function permissionCovers(granted: string | undefined, needed: 'read' | 'write'): boolean {
  return (RANK[granted ?? ''] ?? 0) >= (RANK[needed] ?? 0);
}

function describe(p: RequiredPermission, granted: string | undefined): string {
  return `${p.key}: ${p.level} (${p.label}) — ${granted ? `has only ${granted}` : 'not granted'}`;
}

/** The App subscribes to `workflow_job`: without it no job ever reaches the server. */
export function evaluateAppEvents(app: AppInfo, urls: GitHubUrls): CheckResult {
  const events = app.events ?? [];
  if (events.includes('workflow_job')) {
    return result.pass('GitHub App', 'workflow_job event', 'the App subscribes to "Workflow job"');
  }
  return result.fail(
    'GitHub App',
    'workflow_job event',
    `the App does not subscribe to "Workflow job" (it subscribes to: ${events.length ? events.join(', ') : 'nothing'}); no job will ever reach the server`,
    {
      fix: `tick "Workflow job" under "Subscribe to events" at ${urls.appPermissions} and save (the event needs Repository permissions → Actions: Read-only); organizations must then accept the change`,
    },
  );
}

/** The permissions the App asks for (what installations can accept). */
export function evaluateAppPermissions(app: AppInfo, urls: GitHubUrls): CheckResult {
  const granted = app.permissions ?? {};
  const missing = REQUIRED_PERMISSIONS.filter((p) => !permissionCovers(granted[p.key], p.level));
  if (missing.length > 0) {
    return result.fail(
      'GitHub App',
      'App permissions',
      `the App does not ask for ${missing.map((p) => `${p.key}: ${p.level}`).join(' and ')}`,
      {
        details: missing.map((p) => describe(p, granted[p.key])),
        fix: `at ${urls.appPermissions} set ${missing.map((p) => `"${p.label}"`).join(' and ')}, save, then accept the new permissions on each installation`,
      },
    );
  }
  const details = permissionCovers(granted.administration, 'write')
    ? [
        'administration: write is asked for: only user-account installations need it (repository-level runners); remove it if the App is installed on organizations only',
      ]
    : [];
  return result.pass(
    'GitHub App',
    'App permissions',
    REQUIRED_PERMISSIONS.map((p) => `${p.key}: ${granted[p.key] ?? '?'}`).join(', '),
    { details },
  );
}

const LOCAL_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]', '::1', '0.0.0.0']);

/** The URL without credentials (`user:pass@`), safe to print. */
function printable(url: URL): string {
  const copy = new URL(url.href);
  copy.username = '';
  copy.password = '';
  return copy.href;
}

export interface WebhookExpectations {
  /** WEBHOOK_PATH: where the server listens. */
  readonly webhookPath: string;
  /** WEBHOOK_PROXY_URL, when deliveries go through a smee.io channel. */
  readonly proxyUrl: string | undefined;
}

/** URL, secret and content type of the App's webhook (`GET /app/hook/config`). */
export function evaluateHookConfig(
  hook: HookConfig,
  expect: WebhookExpectations,
  urls: GitHubUrls,
): CheckResult[] {
  return [
    evaluateWebhookUrl(hook, expect, urls),
    evaluateWebhookSecret(hook, urls),
    evaluateContentType(hook),
  ];
}

function evaluateWebhookUrl(
  hook: HookConfig,
  expect: WebhookExpectations,
  urls: GitHubUrls,
): CheckResult {
  const name = 'webhook URL';
  const setIt = `set "Webhook URL" at ${urls.appGeneral} to the public URL the webhook should reach: https://<your host>${expect.webhookPath} (WEBHOOK_PATH), or a smee.io channel also set as WEBHOOK_PROXY_URL`;
  if (!hook.url) {
    return result.fail('GitHub App', name, 'the App has no webhook URL: GitHub delivers nothing', {
      fix: setIt,
    });
  }
  let url: URL;
  try {
    url = new URL(hook.url);
  } catch {
    return result.fail('GitHub App', name, 'the App\u2019s webhook URL is not a valid URL', {
      fix: setIt,
    });
  }
  const shown = printable(url);
  const problems: string[] = [];
  const fixes: string[] = [];
  const local = LOCAL_HOSTS.has(url.hostname);
  if (local) {
    problems.push(`${url.hostname} is this machine: GitHub cannot deliver to it`);
    fixes.push(
      'for local development create a channel on https://smee.io, set it as the Webhook URL and as WEBHOOK_PROXY_URL',
    );
  } else if (url.protocol === 'http:') {
    problems.push('plain http: deliveries (and their signatures) cross the network unencrypted');
    fixes.push(
      `serve the app behind HTTPS and change "Webhook URL" at ${urls.appGeneral} to https://`,
    );
  }
  if (String(hook.insecure_ssl ?? '0') === '1') {
    problems.push('SSL verification is off (insecure_ssl = 1)');
    fixes.push(`turn SSL verification back on at ${urls.appGeneral}`);
  }
  if (expect.proxyUrl) {
    if (stripSlash(expect.proxyUrl) !== stripSlash(url.href)) {
      problems.push(
        'WEBHOOK_PROXY_URL is set, but the App delivers elsewhere: the proxy receives nothing',
      );
      fixes.push(
        `set "Webhook URL" at ${urls.appGeneral} to the WEBHOOK_PROXY_URL channel, or unset WEBHOOK_PROXY_URL`,
      );
    }
  } else if (
    !local &&
    url.hostname !== 'smee.io' &&
    stripSlash(url.pathname) !== stripSlash(expect.webhookPath)
  ) {
    problems.push(
      `its path is ${url.pathname}, but the server listens on ${expect.webhookPath} (WEBHOOK_PATH): unless a proxy rewrites it, deliveries get 404`,
    );
    fixes.push(
      `end the Webhook URL with ${expect.webhookPath}, or set WEBHOOK_PATH=${url.pathname}`,
    );
  }
  const summary = `${shown} (the public URL the webhook should reach)`;
  if (problems.length === 0) return result.pass('GitHub App', name, summary);
  return result.warn('GitHub App', name, summary, { details: problems, fix: fixes.join('; ') });
}

function stripSlash(text: string): string {
  return text.replace(/\/+$/, '');
}

function evaluateWebhookSecret(hook: HookConfig, urls: GitHubUrls): CheckResult {
  if (hook.secret) {
    return result.pass(
      'GitHub App',
      'webhook secret',
      'set on the App (GitHub does not show it: it must equal WEBHOOK_SECRET, or every delivery is refused)',
    );
  }
  return result.fail(
    'GitHub App',
    'webhook secret',
    'the App has no webhook secret: its deliveries are unsigned and the server refuses every one',
    {
      fix: `set "Webhook secret" at ${urls.appGeneral} to the value of WEBHOOK_SECRET (or generate one, e.g. \`openssl rand -hex 32\`, and set it in both places)`,
    },
  );
}

function evaluateContentType(hook: HookConfig): CheckResult {
  const type = hook.content_type ?? undefined;
  if (type === undefined || type === 'json') {
    return result.pass(
      'GitHub App',
      'webhook content type',
      type ?? 'json (GitHub\u2019s default)',
    );
  }
  return result.fail(
    'GitHub App',
    'webhook content type',
    `${type}: the server (Probot) accepts only application/json deliveries and answers 415 to the rest`,
    {
      fix: 'set the content type to json: PATCH /app/hook/config with {"content_type":"json"} using the App\u2019s JWT (https://docs.github.com/rest/apps/webhooks#update-a-webhook-configuration-for-an-app)',
    },
  );
}

export interface InstallationVerdict {
  readonly result: CheckResult;
  /** The organization whose runner group and runner downloads can be checked next. */
  readonly org: string | undefined;
}

/** One installation: organization or user, suspended or not, and its accepted permissions. */
export function evaluateInstallation(
  installation: InstallationInfo,
  app: AppInfo,
  urls: GitHubUrls,
): InstallationVerdict {
  const login = installation.account?.login ?? `#${installation.id}`;
  const type = installation.target_type ?? installation.account?.type ?? 'unknown';
  const isOrg = type === 'Organization';
  const name = `installation ${login} (${isOrg ? 'organization' : type === 'User' ? 'user' : type}, id ${installation.id})`;
  const settings = urls.installation(login, installation.id, isOrg);
  const granted = installation.permissions ?? {};
  const appAsks = app.permissions ?? {};
  const details: string[] = [];
  if (installation.repository_selection === 'selected') {
    details.push('installed on selected repositories only: jobs of the others never reach the App');
  }

  if (installation.suspended_at) {
    return {
      result: result.fail('Installations', name, `suspended since ${installation.suspended_at}`, {
        fix: `an owner of ${login} must unsuspend it at ${settings}`,
      }),
      org: undefined,
    };
  }

  const acceptOrAdd = (missing: readonly RequiredPermission[]) => {
    const notAsked = missing.filter((p) => !permissionCovers(appAsks[p.key], p.level));
    return notAsked.length > 0
      ? `add ${notAsked.map((p) => `"${p.label}"`).join(' and ')} at ${urls.appPermissions}, save, then an owner of ${login} accepts the new permissions at ${settings}`
      : `the App asks for it, but ${login} has not accepted it yet: an owner of ${login} must review and accept the updated permissions at ${settings}`;
  };

  if (!isOrg) {
    if (permissionCovers(granted.administration, 'write')) {
      return {
        result: result.warn(
          'Installations',
          name,
          'a user account: runners are registered per repository, in its Default runner group (RUNNER_GROUP_ID does not apply)',
          {
            details: [
              ...details,
              'administration: write is granted, which lets the App manage these repositories\u2019 settings, not only runners',
            ],
            fix: `prefer an organization: install the App there (${urls.appInstall})`,
          },
        ),
        org: undefined,
      };
    }
    return {
      result: result.fail(
        'Installations',
        name,
        'a user account cannot have organization runners, and repository runners need administration: write, which this installation lacks',
        {
          details,
          fix: `install the App on an organization instead (${urls.appInstall}) and uninstall it from ${login} at ${settings}; or, to serve ${login}'s repositories, ${acceptOrAdd([ADMINISTRATION])}`,
        },
      ),
      org: undefined,
    };
  }

  const missing = REQUIRED_PERMISSIONS.filter((p) => !permissionCovers(granted[p.key], p.level));
  if (missing.length > 0) {
    return {
      result: result.fail(
        'Installations',
        name,
        `missing ${missing.map((p) => `${p.key}: ${p.level}`).join(' and ')}`,
        {
          details: [...missing.map((p) => describe(p, granted[p.key])), ...details],
          fix: acceptOrAdd(missing),
        },
      ),
      // Without the runners permission the runner group cannot be read either.
      org: missing.some((p) => p.key === 'organization_self_hosted_runners') ? undefined : login,
    };
  }
  if (permissionCovers(granted.administration, 'write')) {
    details.push(
      'administration: write is granted but not needed for organization runners; consider removing it from the App',
    );
  }
  return {
    result: result.pass(
      'Installations',
      name,
      REQUIRED_PERMISSIONS.map((p) => `${p.key}: ${granted[p.key] ?? '?'}`).join(', '),
      { details },
    ),
    org: login,
  };
}

export interface RunnerGroupPolicy {
  readonly groupId: number;
  readonly allowPublicRepos: boolean;
  readonly allowedRepos: readonly RepoPattern[] | null;
}

/**
 * The runner group the runners join: which repositories it admits, and whether that fits
 * ALLOW_PUBLIC_REPOS and ALLOWED_REPOS. `repositories` are the full names a `selected` group
 * admits (undefined when not listed).
 */
export function evaluateRunnerGroup(
  org: string,
  group: RunnerGroupInfo,
  repositories: readonly string[] | undefined,
  policy: RunnerGroupPolicy,
  urls: GitHubUrls,
): CheckResult {
  const name = `runner group ${org}`;
  const settings = urls.runnerGroup(org, group.id);
  const label = `"${group.name ?? '?'}" (RUNNER_GROUP_ID=${group.id})`;
  const details: string[] = [];
  const warnings: string[] = [];
  const fixes: string[] = [];
  let admits: string;
  switch (group.visibility) {
    case 'all':
      admits = 'admits all repositories';
      break;
    case 'private':
      admits = 'admits private repositories only';
      break;
    case 'selected': {
      const list = repositories ?? [];
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
      if (policy.allowedRepos !== null && repositories !== undefined) {
        const admitted = new Set(repositories.map((r) => r.toLowerCase()));
        const outside = policy.allowedRepos
          .filter((p) => p.owner === org.toLowerCase() && p.repo !== '*')
          .map((p) => `${p.owner}/${p.repo}`)
          .filter((r) => !admitted.has(r));
        if (outside.length > 0) {
          warnings.push(
            `ALLOWED_REPOS allows ${outside.join(', ')}, which the group does not admit: their jobs get runners they cannot use`,
          );
          fixes.push(
            `add ${outside.join(', ')} to the group at ${settings}, or remove them from ALLOWED_REPOS`,
          );
        }
        const notAllowed = repositories.filter((r) => !isRepoAllowed(policy.allowedRepos, r));
        if (notAllowed.length > 0) {
          details.push(
            `not in ALLOWED_REPOS, so never served by this App: ${notAllowed.slice(0, 10).join(', ')}${notAllowed.length > 10 ? ', …' : ''}`,
          );
        }
      }
      break;
    }
    default:
      admits = `visibility "${group.visibility ?? '?'}"`;
  }
  if (group.allows_public_repositories === false && policy.allowPublicRepos) {
    warnings.push(
      'ALLOW_PUBLIC_REPOS=true, but the group does not allow public repositories: their jobs get runners GitHub will not give them',
    );
    fixes.push(`tick "Allow public repositories" at ${settings}, or set ALLOW_PUBLIC_REPOS=false`);
  } else if (group.allows_public_repositories === true && !policy.allowPublicRepos) {
    details.push(
      'the group allows public repositories; the App still refuses them (ALLOW_PUBLIC_REPOS=false)',
    );
  } else if (group.allows_public_repositories === false) {
    details.push('public repositories are not allowed (matches ALLOW_PUBLIC_REPOS=false)');
  }
  if (group.restricted_to_workflows) {
    warnings.push(
      `only selected workflows may use it (${(group.selected_workflows ?? []).join(', ') || 'none listed'}): jobs of other workflows never get a runner`,
    );
    fixes.push(
      `allow all workflows at ${settings}, or list every workflow that uses runs-on: modal`,
    );
  }
  const summary = `${label} ${admits}`;
  if (warnings.length > 0) {
    return result.warn('Installations', name, summary, {
      details: [...warnings, ...details],
      fix: fixes.join('; '),
    });
  }
  return result.pass('Installations', name, summary, { details });
}
