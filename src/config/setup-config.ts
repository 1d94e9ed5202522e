import { ConfigError } from './config-error.js';
import { envSchema } from './env-schema.js';

/** What the setup page (served while the App has no credentials) needs of the environment. */
export interface SetupConfig {
  readonly port: number;
  /** The loopback address the setup page binds, whatever HOST says. */
  readonly host: string;
  /** HOST when it named a non-loopback interface and was therefore not used. */
  readonly ignoredHost: string | undefined;
  /** GH_ORG: the organization the App is registered on; undefined registers it on the user's account. */
  readonly org: string | undefined;
  readonly webhookPath: string;
  readonly webhookProxyUrl: string | undefined;
  readonly webhookUrl: string | undefined;
  /** GitHub's web address: https://github.com or the GHE_HOST. */
  readonly githubUrl: string;
  /** GitHub's REST API: https://api.github.com or <GHE_HOST>/api/v3. */
  readonly apiBaseUrl: string;
  readonly logLevel: string;
  readonly logFormat: 'json' | 'pretty' | undefined;
}

const setupSchema = envSchema.pick({
  PORT: true,
  HOST: true,
  GH_ORG: true,
  WEBHOOK_PATH: true,
  WEBHOOK_PROXY_URL: true,
  WEBHOOK_URL: true,
  GHE_HOST: true,
  GHE_PROTOCOL: true,
  LOG_LEVEL: true,
  LOG_FORMAT: true,
});

/** Whether `host` names this machine's loopback interface only. */
export function isLoopbackHost(host: string): boolean {
  return /^(localhost|127(\.\d{1,3}){3}|::1|\[::1\])$/i.test(host);
}

/** Parses the setup page's variables. Throws a ConfigError naming every bad one. */
export function loadSetupConfig(env: Readonly<Record<string, string | undefined>>): SetupConfig {
  const present = Object.fromEntries(
    Object.keys(setupSchema.shape)
      .map((k) => [k, env[k]] as const)
      .filter(([, v]) => v !== undefined && v !== ''),
  );
  const parsed = setupSchema.safeParse(present);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((issue) => ({
        variable: String(issue.path[0] ?? 'environment'),
        message: issue.message,
      })),
      { cause: parsed.error },
    );
  }
  const e = parsed.data;
  const loopback = isLoopbackHost(e.HOST);
  return {
    port: e.PORT,
    host: loopback ? e.HOST : '127.0.0.1',
    ignoredHost: loopback ? undefined : e.HOST,
    org: e.GH_ORG,
    webhookPath: e.WEBHOOK_PATH,
    webhookProxyUrl: e.WEBHOOK_PROXY_URL,
    webhookUrl: e.WEBHOOK_URL,
    githubUrl: e.GHE_HOST ? `${e.GHE_PROTOCOL}://${e.GHE_HOST}` : 'https://github.com',
    apiBaseUrl: e.GHE_HOST ? `${e.GHE_PROTOCOL}://${e.GHE_HOST}/api/v3` : 'https://api.github.com',
    logLevel: e.LOG_LEVEL,
    logFormat: e.LOG_FORMAT,
  };
}
