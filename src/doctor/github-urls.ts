import { runnerGroupSettingsUrl } from '../github/runner-group.js';

/** The App as `GET /app` describes it; only the fields the doctor reads. */
export interface AppInfo {
  readonly id?: number;
  readonly slug?: string;
  readonly name?: string;
  readonly html_url?: string;
  readonly owner?: { readonly login?: string; readonly type?: string } | null;
  readonly events?: readonly string[];
  readonly permissions?: Readonly<Record<string, string | undefined>>;
}

/** The pages of github.com (or the GHE server) where each fix is made. */
export interface GitHubUrls {
  /** `https://github.com`, or the GHE server's web origin. */
  readonly web: string;
  /** App settings → General (webhook URL, secret, private keys). */
  readonly appGeneral: string;
  /** App settings → Permissions & events. */
  readonly appPermissions: string;
  /** Where an owner installs the App on another account. */
  readonly appInstall: string;
  installation(account: string, installationId: number, isOrg: boolean): string;
  runnerGroups(org: string): string;
  runnerGroup(org: string, groupId: number): string;
}

/** The web origin: from the App's `html_url`, else from the REST base URL, else github.com. */
function webOrigin(app: AppInfo | undefined, baseUrl: string | undefined): string {
  for (const candidate of [app?.html_url, baseUrl?.replace(/\/api\/v3\/?$/, '')]) {
    if (!candidate) continue;
    try {
      return new URL(candidate).origin;
    } catch {
      // not a URL: try the next one
    }
  }
  return 'https://github.com';
}

/** The settings URLs of the App (owned by a user or an organization) and its installations. */
export function githubUrls(app: AppInfo | undefined, baseUrl: string | undefined): GitHubUrls {
  const web = webOrigin(app, baseUrl);
  const slug = app?.slug ?? '<app-slug>';
  const owner = app?.owner;
  const settings =
    owner?.type === 'Organization' && owner.login
      ? `${web}/organizations/${owner.login}/settings/apps/${slug}`
      : `${web}/settings/apps/${slug}`;
  return {
    web,
    appGeneral: settings,
    appPermissions: `${settings}/permissions`,
    appInstall: `${app?.html_url ?? `${web}/apps/${slug}`}/installations/new`,
    installation: (account, id, isOrg) =>
      isOrg
        ? `${web}/organizations/${account}/settings/installations/${id}`
        : `${web}/settings/installations/${id}`,
    runnerGroups: (org) => `${web}/organizations/${org}/settings/actions/runner-groups`,
    runnerGroup: (org, id) => runnerGroupSettingsUrl({ org, id }, web),
  };
}
