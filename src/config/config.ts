import { compareVersions } from './compare-versions.js';
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { ConfigError } from './config-error.js';
import { configWarnings, type ConfigWarning } from './config-warnings.js';
import { DEFAULT_DATA_DIR } from './data-dir.js';
import { accessToken, booleanString, int, positiveNumber } from './env-values.js';
import { parseRepoAllowlist, type RepoPolicy } from './repo-allowlist.js';
import { ghOrgSchema, webhookUrlSchema } from './setup-variables.js';
import type { RunnerClass } from './runner-class.js';
import { DEFAULT_TIMINGS, type Timings } from './timings.js';
import { DEFAULT_RUNNER_CLASSES, parseRunnerClasses } from './runner-classes.js';

/** Oldest runner GitHub still lets register, and the version we pin by default. */
export const MIN_RUNNER_VERSION = '2.329.0';
export const DEFAULT_RUNNER_VERSION = '2.334.0';

/** A shorter webhook secret can be guessed offline from one signed delivery. */
export const MIN_WEBHOOK_SECRET_LENGTH = 20;

const versionAtLeast = (min: string) => (v: string) => compareVersions(v, min) >= 0;

/** Every variable the app reads, keyed by its name so that errors name it. */
export const envSchema = z.object({
  // Probot's own variables
  APP_ID: z
    .string({ message: 'set it to the numeric App ID from the App settings page' })
    .regex(/^\d+$/, { message: 'must be the numeric App ID from the App settings page' }),
  PRIVATE_KEY: z.string().optional(),
  PRIVATE_KEY_PATH: z.string().optional(),
  WEBHOOK_SECRET: z
    .string({ message: "set it to the App's webhook secret" })
    .min(MIN_WEBHOOK_SECRET_LENGTH, {
      message: `must be at least ${MIN_WEBHOOK_SECRET_LENGTH} characters: generate one with \`openssl rand -hex 32\` and set it both here and as the App's webhook secret`,
    }),
  WEBHOOK_PATH: z.string().startsWith('/').default('/api/github/webhooks'),
  GHE_HOST: z
    .string()
    .regex(/^[A-Za-z0-9.-]+(:\d+)?$/, { message: 'must be a host name such as github.example.com' })
    .optional(),
  GHE_PROTOCOL: z.enum(['https', 'http']).default('https'),
  PORT: int(1, 65535).default(3000),
  HOST: z.string().min(1).default('localhost'),
  LOG_LEVEL: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal']).default('info'),
  LOG_FORMAT: z.enum(['json', 'pretty']).optional(),
  // The no-color.org convention: any non-empty value turns colour off in `doctor`'s output.
  NO_COLOR: z.string().optional(),
  REDIS_URL: z.string().optional(),
  WEBHOOK_PROXY_URL: z.url({ message: 'must be a URL such as https://smee.io/abc' }).optional(),
  // The setup page's (src/setup/): GH_ORG is the App's account, WEBHOOK_URL its webhook.
  GH_ORG: ghOrgSchema.optional(),
  WEBHOOK_URL: webhookUrlSchema.optional(),
  // Modal SDK's own variables
  MODAL_TOKEN_ID: z.string().optional(),
  MODAL_TOKEN_SECRET: z.string().optional(),
  MODAL_ENVIRONMENT: z.string().optional(),
  MODAL_SERVER_URL: z.url({ message: 'must be a URL such as https://api.modal.com' }).optional(),
  // This app's variables
  RUNNER_CLASSES: z.string().default(DEFAULT_RUNNER_CLASSES),
  ALLOWED_REPOS: z.string().optional(),
  ALLOW_PUBLIC_REPOS: booleanString.default(false),
  RUNNER_GROUP_SYNC: booleanString.default(false),
  RUNNER_GROUP_ID: int(1, Number.MAX_SAFE_INTEGER).default(1),
  RUNNER_VERSION: z
    .string()
    .regex(/^\d+\.\d+\.\d+$/, { message: 'must be a version such as 2.330.0', abort: true })
    .refine(versionAtLeast(MIN_RUNNER_VERSION), {
      message: `must be ${MIN_RUNNER_VERSION} or newer: GitHub refuses to register older runners`,
    })
    .default(DEFAULT_RUNNER_VERSION),
  DEPLOYMENT_ID: z
    .string()
    .regex(/^[A-Za-z0-9._-]{1,64}$/, {
      message: 'must be 1-64 letters, digits, ".", "_" or "-", such as "prod" or "staging"',
    })
    .optional(),
  MODAL_APP_NAME: z
    .string()
    .regex(/^[A-Za-z0-9._-]{1,64}$/, { message: 'must be letters, digits, ".", "_" or "-"' })
    .default('github-runners'),
  SANDBOX_TIMEOUT_MINUTES: int(1, 1440).default(360),
  MAX_CONCURRENT_LAUNCHES: int(1, 1000).default(10),
  MAX_RUNNERS: int(1, 100000).default(50),
  JIT_RATE_PER_SECOND: positiveNumber(100).default(10),
  DATA_DIR: z.string().min(1).default(DEFAULT_DATA_DIR),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\/.+/, {
      message: 'must be a PostgreSQL URL such as postgres://user:password@host:5432/database',
    })
    .optional(),
  REPLICA_ID: z
    .string()
    .regex(/^[A-Za-z0-9._:@-]{1,100}$/, {
      message: 'must be 1-100 letters, digits, ".", "_", ":", "@" or "-"',
    })
    .optional(),
  RECONCILE_INTERVAL_SECONDS: int(5, 3600).default(60),
  RUNNER_BOOT_TIMEOUT_SECONDS: int(30, 86400).default(300),
  REDELIVERY_LOOKBACK_HOURS: int(0, 72).default(6),
  STATUS_TOKEN: accessToken,
  METRICS_TOKEN: accessToken,
});

type Env = z.infer<typeof envSchema>;

/** Every environment variable the app reads, in schema order (docs are checked against it). */
export const ENV_VARIABLES: readonly string[] = Object.keys(envSchema.shape);

export interface Config {
  readonly github: {
    readonly appId: number;
    readonly privateKey: string;
    readonly webhookSecret: string;
    readonly webhookPath: string;
    /** REST base URL; undefined means github.com. */
    readonly baseUrl: string | undefined;
  };
  readonly server: {
    readonly host: string;
    readonly port: number;
    readonly logLevel: string;
    /** Token for /status and /status.json; the page is off without it. */
    readonly statusToken: string | undefined;
    /** Token for /metrics; open without it. */
    readonly metricsToken: string | undefined;
    /** A webhook proxy channel (smee.io) whose deliveries the server forwards to itself. */
    readonly webhookProxyUrl: string | undefined;
  };
  /**
   * What tells this deployment's sandboxes and runners from another's on the same organization
   * or Modal environment: `DEPLOYMENT_ID`, else `app-<APP_ID>.<MODAL_APP_NAME>`.
   */
  readonly deployment: { readonly id: string };
  readonly modal: {
    readonly appName: string;
    readonly environment: string | undefined;
    readonly serverUrl: string | undefined;
    readonly tokenId: string | undefined;
    readonly tokenSecret: string | undefined;
  };
  readonly runners: {
    readonly classes: ReadonlyMap<string, RunnerClass>;
    readonly version: string;
    readonly groupId: number;
    /** Keep the runner group's repository access in step with the policy (RUNNER_GROUP_SYNC). */
    readonly groupSync: boolean;
    readonly sandboxTimeoutMinutes: number;
  };
  readonly policy: RepoPolicy;
  readonly limits: {
    readonly maxConcurrentLaunches: number;
    readonly maxRunners: number;
    readonly jitRatePerSecond: number;
  };
  readonly state: {
    /** Where the SQLite ledger lives; `:memory:` keeps it in memory (nothing survives a restart). */
    readonly dataDir: string;
    /** PostgreSQL instead of SQLite: several replicas share it and elect a leader. */
    readonly databaseUrl: string | undefined;
    /** This replica's name in the lease and on /status (hostname and pid when unset). */
    readonly replicaId: string | undefined;
    readonly runnerBootTimeoutMs: number;
    readonly redeliveryLookbackMs: number;
  };
  readonly timings: Timings;
  /** Settings that work but deserve a look; the server logs them at start, `doctor` shows them. */
  readonly warnings: readonly ConfigWarning[];
}

type Problem = { variable: string; message: string };

/** Parses the environment once. Throws a ConfigError naming every bad variable. */
export function loadConfig(
  env: Readonly<Record<string, string | undefined>>,
  readFile: (path: string) => string = (p) => readFileSync(p, 'utf8'),
): Config {
  // Empty strings count as unset, as in a .env file with `NAME=`.
  const present = Object.fromEntries(
    Object.keys(envSchema.shape)
      .map((k) => [k, env[k]] as const)
      .filter(([, v]) => v !== undefined && v !== ''),
  );
  const parsed = envSchema.safeParse(present);
  const problems: Problem[] = parsed.success
    ? []
    : parsed.error.issues.map((issue) => ({
        variable: String(issue.path[0] ?? 'environment'),
        message:
          issue.code === 'invalid_type' && issue.input === undefined
            ? `is required: ${issue.message}`
            : issue.message,
      }));
  // The checks below read the raw strings so that they report even when the schema failed:
  // ConfigError lists every problem, not just the first batch.
  const raw = present as Partial<Record<keyof Env, string>>;

  const attempt = <T>(variable: string, fn: () => T): T | undefined => {
    try {
      return fn();
    } catch (error) {
      problems.push({ variable, message: (error as Error).message });
      return undefined;
    }
  };

  const privateKey = attempt(keyVariable(raw), () => resolvePrivateKey(raw, readFile));
  const classes = attempt('RUNNER_CLASSES', () =>
    parseRunnerClasses(raw.RUNNER_CLASSES ?? DEFAULT_RUNNER_CLASSES),
  );
  const allowedRepos = attempt('ALLOWED_REPOS', () => parseRepoAllowlist(raw.ALLOWED_REPOS));
  if ((raw.MODAL_TOKEN_ID === undefined) !== (raw.MODAL_TOKEN_SECRET === undefined)) {
    problems.push({
      variable: raw.MODAL_TOKEN_ID === undefined ? 'MODAL_TOKEN_ID' : 'MODAL_TOKEN_SECRET',
      message:
        'MODAL_TOKEN_ID and MODAL_TOKEN_SECRET go together: set both (modal token new) or neither',
    });
  }
  if (!parsed.success || problems.length > 0 || privateKey === undefined || classes === undefined) {
    throw new ConfigError(problems, parsed.success ? undefined : { cause: parsed.error });
  }
  const e: Env = parsed.data;

  return {
    github: {
      appId: Number(e.APP_ID),
      privateKey,
      webhookSecret: e.WEBHOOK_SECRET,
      webhookPath: e.WEBHOOK_PATH,
      baseUrl: e.GHE_HOST ? `${e.GHE_PROTOCOL}://${e.GHE_HOST}/api/v3` : undefined,
    },
    deployment: { id: e.DEPLOYMENT_ID ?? `app-${e.APP_ID}.${e.MODAL_APP_NAME}` },
    server: {
      host: e.HOST,
      port: e.PORT,
      logLevel: e.LOG_LEVEL,
      statusToken: e.STATUS_TOKEN,
      metricsToken: e.METRICS_TOKEN,
      webhookProxyUrl: e.WEBHOOK_PROXY_URL,
    },
    modal: {
      appName: e.MODAL_APP_NAME,
      environment: e.MODAL_ENVIRONMENT,
      serverUrl: e.MODAL_SERVER_URL,
      tokenId: e.MODAL_TOKEN_ID,
      tokenSecret: e.MODAL_TOKEN_SECRET,
    },
    runners: {
      classes,
      version: e.RUNNER_VERSION,
      groupId: e.RUNNER_GROUP_ID,
      groupSync: e.RUNNER_GROUP_SYNC,
      sandboxTimeoutMinutes: e.SANDBOX_TIMEOUT_MINUTES,
    },
    policy: { allowedRepos: allowedRepos ?? null, allowPublicRepos: e.ALLOW_PUBLIC_REPOS },
    limits: {
      maxConcurrentLaunches: e.MAX_CONCURRENT_LAUNCHES,
      maxRunners: e.MAX_RUNNERS,
      jitRatePerSecond: e.JIT_RATE_PER_SECOND,
    },
    state: {
      dataDir: e.DATA_DIR,
      databaseUrl: e.DATABASE_URL,
      replicaId: e.REPLICA_ID,
      runnerBootTimeoutMs: e.RUNNER_BOOT_TIMEOUT_SECONDS * 1000,
      redeliveryLookbackMs: e.REDELIVERY_LOOKBACK_HOURS * 3600_000,
    },
    timings: {
      ...DEFAULT_TIMINGS,
      reconcileIntervalMs: e.RECONCILE_INTERVAL_SECONDS * 1000,
    },
    warnings: configWarnings(e.GHE_HOST, e.GHE_PROTOCOL),
  };
}

/** The variable a private-key problem is about: the one set, or both when neither is. */
function keyVariable(e: { readonly PRIVATE_KEY?: string; readonly PRIVATE_KEY_PATH?: string }) {
  if (e.PRIVATE_KEY) return 'PRIVATE_KEY';
  return e.PRIVATE_KEY_PATH ? 'PRIVATE_KEY_PATH' : 'PRIVATE_KEY or PRIVATE_KEY_PATH';
}

function resolvePrivateKey(
  e: { readonly PRIVATE_KEY?: string; readonly PRIVATE_KEY_PATH?: string },
  readFile: (path: string) => string,
): string {
  let key: string;
  if (e.PRIVATE_KEY) {
    key = e.PRIVATE_KEY.replace(/\\n/g, '\n');
  } else if (e.PRIVATE_KEY_PATH) {
    try {
      key = readFile(e.PRIVATE_KEY_PATH);
    } catch (error) {
      throw new Error(
        `cannot read "${e.PRIVATE_KEY_PATH}" (${(error as NodeJS.ErrnoException).code ?? 'error'}); point it at the .pem file downloaded from the App settings page`,
        { cause: error },
      );
    }
  } else {
    throw new Error(
      'is required: set PRIVATE_KEY to the App private key (PEM) or PRIVATE_KEY_PATH to its .pem file ' +
        '(App settings → "Generate a private key")',
    );
  }
  if (!/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(key)) {
    throw new Error(
      'is not a PEM private key; download one from the App settings page ("Generate a private key")',
    );
  }
  return key;
}

/** The configuration with some timings replaced (tests and the simulator shorten them). */
export function withTimings(config: Config, timings: Partial<Timings> | undefined): Config {
  return timings === undefined ? config : { ...config, timings: { ...config.timings, ...timings } };
}

/** Whether Probot has the App credentials; without them it serves its setup page instead. */
export function hasAppCredentials(env: Readonly<Record<string, string | undefined>>): boolean {
  return Boolean(env.APP_ID) && Boolean(env.PRIVATE_KEY || env.PRIVATE_KEY_PATH);
}

/** The configuration with every secret replaced, safe to print or log. */
export function maskConfig(config: Config): unknown {
  const mask = (v: string | undefined) => (v === undefined ? undefined : '***');
  return {
    ...config,
    github: {
      ...config.github,
      privateKey: mask(config.github.privateKey),
      webhookSecret: mask(config.github.webhookSecret),
    },
    server: {
      ...config.server,
      statusToken: mask(config.server.statusToken),
      metricsToken: mask(config.server.metricsToken),
    },
    state: { ...config.state, databaseUrl: maskDatabaseUrl(config.state.databaseUrl) },
    modal: { ...config.modal, tokenSecret: mask(config.modal.tokenSecret) },
    runners: { ...config.runners, classes: Object.fromEntries(config.runners.classes) },
  };
}

/** The database URL without its password, safe to print or log. */
export function maskDatabaseUrl(url: string | undefined): string | undefined {
  if (url === undefined) return undefined;
  try {
    const parsed = new URL(url);
    if (parsed.password !== '') parsed.password = '***';
    return parsed.toString();
  } catch {
    return '***';
  }
}
