import { isIP } from 'node:net';
import type { Logger } from 'pino';
import type { Config } from '../config/config.js';
import { dockerModeOf, isDomain } from '../config/runner-class-network.js';
import type { Clock } from '../domain/clock.js';
import { errorFields } from '../domain/error-fields.js';
import { createActionsHosts } from '../github/actions-hosts.js';
import { AppOctokit } from '../github/app-octokit.js';
import type { ModalSandboxPlatformOptions } from '../modal/modal-sandbox-platform.js';

/**
 * What the sandbox platform needs for the classes' `docker` and `egress` options: the names of
 * the Docker classes, and GitHub's Actions hosts when a class has `egress: "github"`. GitHub
 * serves `GET /meta` without authentication, so the App's Octokit asks it without a token (no
 * installation needed, nothing of the App's quota spent); the answer is kept a day. On GitHub
 * Enterprise Server, its own host is added.
 */
export function classPlatformOptions(
  config: Config,
  clock: Clock,
  log: Logger,
): Pick<ModalSandboxPlatformOptions, 'dockerClasses' | 'githubHosts'> {
  const classes = [...config.runners.classes.values()];
  const dockerClasses = classes.filter((c) => dockerModeOf(c) !== undefined).map((c) => c.name);
  if (!classes.some((c) => c.egress === 'github')) return { dockerClasses };
  const octokit = new AppOctokit({
    ...(config.github.baseUrl ? { baseUrl: config.github.baseUrl } : {}),
  });
  const githubHosts = createActionsHosts({
    fetchMeta: async () => (await octokit.rest.meta.get()).data,
    now: () => clock.now(),
    onError: (error) =>
      log.warn(
        { ...errorFields(error) },
        'could not read GitHub\'s Actions hosts (GET /meta): egress "github" uses the built-in list',
      ),
  });
  const ghes = gheHostEntry(config.github.baseUrl);
  return {
    dockerClasses,
    githubHosts: ghes ? async () => [...(await githubHosts()), ghes] : githubHosts,
  };
}

/** GitHub Enterprise Server's own host, as an allowlist entry (its /meta may not list it). */
export function gheHostEntry(baseUrl: string | undefined): string | undefined {
  if (!baseUrl) return undefined;
  const host = new URL(baseUrl).hostname.replace(/^\[|\]$/g, '');
  if (isIP(host) === 4) return `${host}/32`;
  if (isIP(host) === 6) return `${host}/128`;
  return isDomain(host) ? host : undefined;
}
