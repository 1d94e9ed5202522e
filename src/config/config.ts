import { readFileSync } from 'node:fs';
import { configWarnings, type ConfigWarning } from './config-warnings.js';
import type { RepoPolicy } from './repo-allowlist.js';
import type { RunnerClass } from './runner-class.js';
import { DEFAULT_TIMINGS, type Timings } from './timings.js';
import { validateEnv, type ValidEnv } from './validate-env.js';

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

/** Parses the environment once. Throws a ConfigError naming every bad variable. */
export function loadConfig(
  env: Readonly<Record<string, string | undefined>>,
  readFile: (path: string) => string = (p) => readFileSync(p, 'utf8'),
): Config {
  return toConfig(validateEnv(env, readFile));
}

/** The configuration of a checked environment. Pure. */
function toConfig({ env: e, privateKey, classes, allowedRepos }: ValidEnv): Config {
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
    policy: { allowedRepos, allowPublicRepos: e.ALLOW_PUBLIC_REPOS },
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

/** The configuration with some timings replaced (tests and the simulator shorten them). */
export function withTimings(config: Config, timings: Partial<Timings> | undefined): Config {
  return timings === undefined ? config : { ...config, timings: { ...config.timings, ...timings } };
}

/** Whether Probot has the App credentials; without them it serves its setup page instead. */
export function hasAppCredentials(env: Readonly<Record<string, string | undefined>>): boolean {
  return Boolean(env.APP_ID) && Boolean(env.PRIVATE_KEY || env.PRIVATE_KEY_PATH);
}
