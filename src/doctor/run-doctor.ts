import type { ModalClient } from 'modal';
import { ConfigError } from '../config/config-error.js';
import { loadConfig, type Config } from '../config/config.js';
import { translateModalError } from '../modal/modal-error.js';
import { doctorExitCode, result, type CheckResult } from './check-result.js';
import type { DoctorGitHub } from './doctor-github.js';
import { runGitHubChecks } from './github-checks.js';
import { runModalChecks } from './modal-checks.js';
import { checkRunnerVersions } from './runner-version-check.js';

export interface DoctorDeps {
  /** The environment, `.env` already loaded. */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Reads PRIVATE_KEY_PATH. */
  readonly readFile?: (path: string) => string;
  /** GitHub as the App sees it (Probot's auth in production, see probot-doctor-github.ts). */
  readonly github: (config: Config) => DoctorGitHub;
  /** The Modal client; closed by the doctor when done. */
  readonly modalClient: (config: Config) => ModalClient;
  readonly now?: () => number;
  /** Do not build the runner images. */
  readonly skipImages?: boolean;
  readonly onImageStart?: (tag: string, classes: readonly string[]) => void;
}

export interface DoctorReport {
  readonly results: readonly CheckResult[];
  /** 0 when nothing failed, 1 otherwise. */
  readonly exitCode: number;
}

/**
 * Runs every check: the configuration, then GitHub (App, webhook, installations, runner group,
 * newest runner) and Modal (credentials, GPU types, images) side by side, then the runner
 * versions. Never throws for a failed check; every result is cleaned of the configured secrets.
 */
export async function runDoctor(deps: DoctorDeps): Promise<DoctorReport> {
  const now = deps.now ?? Date.now;
  const secrets = secretsOf(deps.env);
  const finish = (results: CheckResult[]): DoctorReport => {
    const clean = results.map((r) => redactResult(r, secrets));
    return { results: clean, exitCode: doctorExitCode(clean) };
  };

  let config: Config;
  try {
    config = deps.readFile ? loadConfig(deps.env, deps.readFile) : loadConfig(deps.env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    return finish([
      result.fail(
        'Configuration',
        'configuration',
        `${error.problems.length} problem(s) in the environment`,
        {
          details: error.problems.map((p) => `${p.variable}: ${p.message}`),
          fix: 'correct the variables named above in the environment or .env (see .env.example and DEPLOY.md, "Configuration reference")',
        },
      ),
      result.skip('GitHub App', 'GitHub App', 'skipped: needs a valid configuration'),
      result.skip('Installations', 'installations', 'skipped: needs a valid configuration'),
      result.skip('Runner version', 'runner version', 'skipped: needs a valid configuration'),
      result.skip('Modal', 'Modal', 'skipped: needs a valid configuration'),
    ]);
  }
  for (const value of [config.github.privateKey, config.github.webhookSecret]) secrets.add(value);

  const results: CheckResult[] = [...describeConfig(config)];
  const [github, modal] = await Promise.all([
    runGitHubChecks({
      github: deps.github(config),
      config,
      proxyUrl: deps.env.WEBHOOK_PROXY_URL || undefined,
      now,
    }),
    modalChecks(deps, config, now),
  ]);
  results.push(...github.results);
  results.push(
    ...checkRunnerVersions(config.runners.version, config.runners.classes, github.newestRunner),
  );
  results.push(...modal);
  return finish(results);
}

async function modalChecks(deps: DoctorDeps, config: Config, now: () => number) {
  let client: ModalClient;
  try {
    client = deps.modalClient(config);
  } catch (error) {
    const failure = translateModalError('create-client', error);
    return [
      result.fail(
        'Modal',
        'credentials and App',
        `the Modal client could not start (${failure.code})`,
        {
          details: [failure.message],
          fix: 'set MODAL_TOKEN_ID and MODAL_TOKEN_SECRET (`modal token new`), and MODAL_SERVER_URL only when testing against a fake',
        },
      ),
    ];
  }
  try {
    return await runModalChecks({
      client,
      config,
      now,
      ...(deps.skipImages ? { skipImages: true } : {}),
      ...(deps.onImageStart ? { onImageStart: deps.onImageStart } : {}),
    });
  } finally {
    client.close();
  }
}

function describeConfig(config: Config): CheckResult[] {
  const classes = [...config.runners.classes.values()].map(
    (c) =>
      `class ${c.name}: ${c.cpu} CPU, ${c.memoryMiB} MiB${c.gpu ? `, GPU ${c.gpu}` : ''}${c.image ? `, image ${c.image}` : ''}${c.maxRunners ? `, at most ${c.maxRunners}` : ''}`,
  );
  const out: CheckResult[] = [
    result.pass(
      'Configuration',
      'configuration',
      `APP_ID ${config.github.appId}, RUNNER_GROUP_ID ${config.runners.groupId}, RUNNER_VERSION ${config.runners.version}, MODAL_APP_NAME ${config.modal.appName}, MAX_RUNNERS ${config.limits.maxRunners}`,
      {
        details: [
          `GitHub API: ${config.github.baseUrl ?? 'https://api.github.com'}`,
          ...classes,
          `repositories: ${config.policy.allowedRepos === null ? 'all the installations cover' : `ALLOWED_REPOS ${config.policy.allowedRepos.map((p) => `${p.owner}/${p.repo}`).join(', ')}`}; public ones ${config.policy.allowPublicRepos ? 'served (ALLOW_PUBLIC_REPOS=true)' : 'refused'}`,
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
        {
          fix: 'set DATA_DIR to a directory on a persistent volume (e.g. /app/data in Docker)',
        },
      ),
    );
  }
  return out;
}

/** Values from the environment that must never be printed. */
function secretsOf(env: Readonly<Record<string, string | undefined>>): Set<string> {
  const secrets = new Set<string>();
  for (const name of [
    'PRIVATE_KEY',
    'WEBHOOK_SECRET',
    'MODAL_TOKEN_SECRET',
    'STATUS_TOKEN',
    'METRICS_TOKEN',
  ]) {
    const value = env[name];
    if (value) secrets.add(value);
  }
  return secrets;
}

function redact(text: string, secrets: ReadonlySet<string>): string {
  let out = text;
  for (const secret of secrets) {
    // A PEM key is also hidden line by line, in case only part of it was echoed.
    const lines = secret
      .replace(/\\n/g, '\n')
      .split('\n')
      .filter((line) => line.trim().length >= 16 && !line.startsWith('-----'));
    const pieces = [...(secret.length >= 4 ? [secret] : []), ...lines];
    for (const piece of pieces) out = out.split(piece).join('[redacted]');
  }
  return out;
}

function redactResult(r: CheckResult, secrets: ReadonlySet<string>): CheckResult {
  return {
    ...r,
    summary: redact(r.summary, secrets),
    ...(r.details ? { details: r.details.map((d) => redact(d, secrets)) } : {}),
    ...(r.fix ? { fix: redact(r.fix, secrets) } : {}),
  };
}
