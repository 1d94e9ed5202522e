import { readPages } from '../github/rest-pages.js';
import { listItems } from '../github/rest-response.js';
import { result, type CheckResult } from './check-result.js';
import { translate, type DoctorCheck, type OrgInstallation } from './doctor-context.js';
import { headline } from './doctor-github.js';
import type { AppInfo, GitHubUrls } from './github-urls.js';
import {
  ADMINISTRATION,
  describeMissing,
  permissionCovers,
  REQUIRED_PERMISSIONS,
  type RequiredPermission,
} from './required-permissions.js';

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

/** At most this many pages of installations (100 each). */
const MAX_PAGES = 10;

/**
 * The App's installations (`GET /app/installations`): each one's account and accepted
 * permissions. Mints a token for each organization whose runner group can be read, and sets
 * `facts.orgs` for the checks after it.
 */
export const installationsCheck: DoctorCheck = {
  topic: 'installations',
  section: 'Installations',
  lane: 'github',
  async run(ctx) {
    const facts = ctx.facts.app;
    if (facts === undefined) {
      ctx.facts.noOrgs = ctx.facts.noApp ?? 'no App';
      return [result.skip('Installations', 'installations', `skipped: ${ctx.facts.noOrgs}`)];
    }
    let installations: readonly InstallationInfo[];
    try {
      const read = await readPages<InstallationInfo>({
        form: 'page',
        perPage: 100,
        maxPages: MAX_PAGES,
        fetch: ({ page }) =>
          facts.client.request('GET /app/installations', { per_page: 100, page }),
        items: (response) => listItems<InstallationInfo>(response, 'list-installations'),
      });
      installations = read.items;
    } catch (error) {
      const failure = translate(ctx, 'list-installations', error);
      ctx.facts.noOrgs = 'installations could not be listed';
      return [
        result.fail(
          'Installations',
          'installations',
          `GET /app/installations failed: ${headline(failure)}`,
          {
            details: [failure.message],
            fix: `run the doctor again; if it persists, check the App at ${facts.urls.appGeneral}`,
          },
        ),
      ];
    }
    if (installations.length === 0) {
      ctx.facts.noOrgs = 'the App has no installation';
      return [
        result.fail(
          'Installations',
          'installations',
          'the App is not installed anywhere: no job can reach it',
          { fix: `install it on your organization at ${facts.urls.appInstall}` },
        ),
      ];
    }
    const results: CheckResult[] = [
      result.info(
        'Installations',
        'installations',
        `${installations.length} installation(s): ${installations.map((i) => i.account?.login ?? `#${i.id}`).join(', ')}`,
      ),
    ];
    const orgs: OrgInstallation[] = [];
    for (const installation of installations) {
      const verdict = evaluateInstallation(installation, facts.app, facts.urls);
      results.push(verdict.result);
      if (verdict.org === undefined) continue;
      try {
        const client = await ctx.github.installation(installation.id);
        orgs.push({ org: verdict.org, installationId: installation.id, client });
      } catch (error) {
        const tokenError = translate(ctx, 'installation-token', error, installation.id);
        orgs.push({
          org: verdict.org,
          installationId: installation.id,
          client: undefined,
          tokenError,
        });
      }
    }
    ctx.facts.orgs = orgs;
    if (orgs.length === 0) ctx.facts.noOrgs = 'no organization installation could be asked';
    return results;
  },
};

export interface InstallationVerdict {
  readonly result: CheckResult;
  /** The organization whose runner group and runner downloads can be checked next. */
  readonly org: string | undefined;
}

/** One installation: organization or user, suspended or not, and its accepted permissions. Pure. */
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
    return {
      result: evaluateUserInstallation(name, login, granted, details, urls, settings, acceptOrAdd),
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
          details: [...missing.map((p) => describeMissing(p, granted[p.key])), ...details],
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

/** A user account: only repository-level runners, which need administration: write. */
function evaluateUserInstallation(
  name: string,
  login: string,
  granted: Readonly<Record<string, string | undefined>>,
  details: readonly string[],
  urls: GitHubUrls,
  settings: string,
  acceptOrAdd: (missing: readonly RequiredPermission[]) => string,
): CheckResult {
  if (permissionCovers(granted.administration, 'write')) {
    return result.warn(
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
    );
  }
  return result.fail(
    'Installations',
    name,
    'a user account cannot have organization runners, and repository runners need administration: write, which this installation lacks',
    {
      details,
      fix: `install the App on an organization instead (${urls.appInstall}) and uninstall it from ${login} at ${settings}; or, to serve ${login}'s repositories, ${acceptOrAdd([ADMINISTRATION])}`,
    },
  );
}
