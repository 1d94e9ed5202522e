import { ConfigError } from './config-error.js';
import { envSchema, type Env } from './env-schema.js';
import { privateKeyVariable, resolvePrivateKey } from './private-key.js';
import { parseRepoAllowlist, type RepoPolicy } from './repo-allowlist.js';
import type { RunnerClass } from './runner-class.js';
import { DEFAULT_RUNNER_CLASSES, parseRunnerClasses } from './runner-classes.js';

/** The environment with everything checked that the schema alone cannot check. */
export interface ValidEnv {
  readonly env: Env;
  readonly privateKey: string;
  readonly classes: ReadonlyMap<string, RunnerClass>;
  /** ALLOWED_REPOS parsed; null when unset. */
  readonly allowedRepos: RepoPolicy['allowedRepos'];
}

type Problem = { variable: string; message: string };

/**
 * Checks every variable: the schema, the private key, the runner classes, the repository
 * allowlist and the Modal token pair. Throws one ConfigError naming every bad variable.
 */
export function validateEnv(
  env: Readonly<Record<string, string | undefined>>,
  readFile: (path: string) => string,
): ValidEnv {
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

  const privateKey = attempt(privateKeyVariable(raw), () => resolvePrivateKey(raw, readFile));
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
  return { env: parsed.data, privateKey, classes, allowedRepos: allowedRepos ?? null };
}
