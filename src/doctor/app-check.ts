import type { Config } from '../config/config.js';
import type { GitHubError } from '../github/github-error.js';
import { result, type CheckResult } from './check-result.js';
import { translate, type DoctorCheck } from './doctor-context.js';
import { headline } from './doctor-github.js';
import { githubUrls, type AppInfo, type GitHubUrls } from './github-urls.js';
import { describeMissing, permissionCovers, REQUIRED_PERMISSIONS } from './required-permissions.js';

/**
 * The App: its JWT (`GET /app`), the `workflow_job` event and the permissions it asks for. Sets
 * `facts.app` for the checks after it.
 */
export const appCheck: DoctorCheck = {
  topic: 'GitHub App',
  section: 'GitHub App',
  lane: 'github',
  async run(ctx) {
    let app: AppInfo;
    let client;
    try {
      client = await ctx.github.app();
      const data: unknown = (await client.request('GET /app')).data;
      app = (typeof data === 'object' && data !== null ? data : {}) as AppInfo;
    } catch (error) {
      const failure = translate(ctx, 'get-app', error);
      ctx.facts.noApp = 'the App could not authenticate';
      return [
        result.fail('GitHub App', 'App authentication', `GET /app failed: ${headline(failure)}`, {
          details: [failure.message],
          fix: appAuthFix(failure, ctx.config),
        }),
      ];
    }
    const urls = githubUrls(app, ctx.config.github.baseUrl);
    ctx.facts.app = { client, app, urls };
    return [
      result.pass(
        'GitHub App',
        'App authentication',
        `"${app.name ?? app.slug ?? '?'}" (slug ${app.slug ?? '?'}, id ${app.id ?? '?'}) accepts the JWT signed with APP_ID and the private key`,
        { details: [`settings: ${urls.appGeneral}`] },
      ),
      evaluateAppEvents(app, urls),
      evaluateAppPermissions(app, urls),
    ];
  },
};

/** What to change when GitHub refuses the App's JWT. */
export function appAuthFix(error: GitHubError, config: Config): string {
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
        details: missing.map((p) => describeMissing(p, granted[p.key])),
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
