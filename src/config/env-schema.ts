import { z } from 'zod';
import { compareVersions } from './compare-versions.js';
import { DEFAULT_DATA_DIR } from './data-dir.js';
import { accessToken, booleanString, int, positiveNumber } from './env-values.js';
import { DEFAULT_RUNNER_CLASSES } from './runner-classes.js';
import { ghOrgSchema, webhookUrlSchema } from './setup-variables.js';

/** Oldest runner GitHub still lets register. */
export const MIN_RUNNER_VERSION = '2.329.0';
/**
 * RUNNER_VERSION=latest (the default) uses this version until the newest runner has been
 * resolved from GitHub and its image built: the newest when this release was made.
 */
export const RUNNER_VERSION_FLOOR = '2.334.0';
export const DEFAULT_RUNNER_VERSION = 'latest';

/** A shorter webhook secret can be guessed offline from one signed delivery. */
export const MIN_WEBHOOK_SECRET_LENGTH = 20;

const versionAtLeast = (min: string) => (v: string) =>
  v === 'latest' || compareVersions(v, min) >= 0;

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
    .regex(/^(latest|\d+\.\d+\.\d+)$/, {
      message: 'must be "latest" or a version such as 2.330.0',
      abort: true,
    })
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

/** The environment as the schema parses it. */
export type Env = z.infer<typeof envSchema>;

/** Every environment variable the app reads, in schema order (docs are checked against it). */
export const ENV_VARIABLES: readonly string[] = Object.keys(envSchema.shape);
