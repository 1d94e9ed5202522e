import { ConfigError } from '../config/config-error.js';
import { hasAppCredentials, loadConfig, type Config } from '../config/config.js';
import { result, type CheckResult } from './check-result.js';

type Env = Readonly<Record<string, string | undefined>>;

export interface ConfigOutcome {
  /** Undefined when the environment does not parse: the other checks cannot run. */
  readonly config: Config | undefined;
  readonly results: CheckResult[];
}

/** What Probot's setup page writes to .env once the App is registered. */
const SETUP_WRITES = new Set([
  'APP_ID',
  'PRIVATE_KEY',
  'PRIVATE_KEY_PATH',
  'PRIVATE_KEY or PRIVATE_KEY_PATH',
  'WEBHOOK_SECRET',
]);

/**
 * The configuration, parsed as the server parses it. Without App credentials it points to the
 * setup page (what `npm start` serves then) rather than at the missing variables alone.
 */
export function checkConfiguration(env: Env, readFile?: (path: string) => string): ConfigOutcome {
  let problems: readonly { variable: string; message: string }[] = [];
  let config: Config | undefined;
  try {
    config = readFile ? loadConfig(env, readFile) : loadConfig(env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    problems = error.problems;
  }
  const results: CheckResult[] = [];
  const unregistered = !hasAppCredentials(env);
  if (unregistered) results.push(setupPagePointer(env));
  const rest = unregistered ? problems.filter((p) => !SETUP_WRITES.has(p.variable)) : problems;
  if (rest.length > 0) {
    results.push(
      result.fail(
        'Configuration',
        'configuration',
        `${rest.length} problem(s) in the environment`,
        {
          details: rest.map((p) => `${p.variable}: ${p.message}`),
          fix: 'correct the variables named above in the environment or .env (see .env.example and DEPLOY.md, "Configuration reference")',
        },
      ),
    );
  }
  if (config !== undefined) results.push(...describeConfig(config));
  return { config, results };
}

/** No App yet (or no key for it): register one through Probot's setup page. */
function setupPagePointer(env: Env): CheckResult {
  const org = env.GH_ORG || '<your organization>';
  const page = `http://localhost:${env.PORT || '3000'}`;
  const register =
    `run \`GH_ORG=${org} npm start\` (GH_ORG registers the App on your organization, where it can be installed), ` +
    `open ${page} and follow the setup page: it registers the App from app.yml and writes APP_ID, PRIVATE_KEY and WEBHOOK_SECRET to .env; ` +
    'then install the App on the organization and run the doctor again';
  if (env.APP_ID) {
    return result.fail(
      'Configuration',
      'GitHub App credentials',
      'APP_ID is set, but neither PRIVATE_KEY nor PRIVATE_KEY_PATH: the server would serve its setup page instead of runners',
      {
        fix: `set PRIVATE_KEY_PATH to the App's .pem file (App settings → Private keys → "Generate a private key") or PRIVATE_KEY to its contents; or, to register a new App, unset APP_ID, ${register}`,
      },
    );
  }
  return result.fail(
    'Configuration',
    'GitHub App credentials',
    'no GitHub App is configured yet (APP_ID and PRIVATE_KEY or PRIVATE_KEY_PATH are unset): `npm start` serves the setup page that registers one',
    { fix: register },
  );
}

function describeConfig(config: Config): CheckResult[] {
  const classes = [...config.runners.classes.values()].map(
    (c) =>
      `class ${c.name}: ${c.cpu} CPU, ${c.memoryMiB} MiB${c.gpu ? `, GPU ${c.gpu}` : ''}${c.image ? `, image ${c.image}` : ''}${c.maxRunners ? `, at most ${c.maxRunners}` : ''}`,
  );
  const { allowedRepos, allowPublicRepos } = config.policy;
  const out: CheckResult[] = [
    result.pass(
      'Configuration',
      'configuration',
      `APP_ID ${config.github.appId}, RUNNER_GROUP_ID ${config.runners.groupId}, RUNNER_VERSION ${config.runners.version}, MODAL_APP_NAME ${config.modal.appName}, MAX_RUNNERS ${config.limits.maxRunners}`,
      {
        details: [
          `GitHub API: ${config.github.baseUrl ?? 'https://api.github.com'}`,
          ...classes,
          `repositories: ${allowedRepos === null ? 'all the installations cover' : `ALLOWED_REPOS ${allowedRepos.map((p) => `${p.owner}/${p.repo}`).join(', ')}`}; public ones ${allowPublicRepos ? 'served (ALLOW_PUBLIC_REPOS=true)' : 'refused'}`,
        ],
      },
    ),
  ];
  for (const warning of config.warnings) {
    out.push(result.warn('Configuration', warning.variable, warning.message, { fix: warning.fix }));
  }
  if (config.state.dataDir === ':memory:') {
    out.push(
      result.warn(
        'Configuration',
        'DATA_DIR',
        ':memory: keeps the ledger in memory; nothing survives a restart',
        { fix: 'set DATA_DIR to a directory on a persistent volume (e.g. /app/data in Docker)' },
      ),
    );
  }
  return out;
}
