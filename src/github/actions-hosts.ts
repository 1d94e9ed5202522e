import { isCidr, isDomain } from '../config/runner-class-network.js';

/**
 * The hosts a runner needs when GitHub's `GET /meta` cannot be read (GitHub's "communication
 * requirements" for self-hosted runners): the API and git, Actions' services, artifacts and
 * caches (Azure blobs), action downloads, the container registry and packages. Used by
 * `egress: "github"` until /meta answers, and when it never does.
 */
export const FALLBACK_ACTIONS_DOMAINS: readonly string[] = [
  'github.com',
  '*.github.com',
  'api.github.com',
  'codeload.github.com',
  '*.githubusercontent.com',
  '*.actions.githubusercontent.com',
  'pkg.actions.githubusercontent.com',
  'results-receiver.actions.githubusercontent.com',
  'objects.githubusercontent.com',
  'release-assets.githubusercontent.com',
  '*.blob.core.windows.net',
  'ghcr.io',
  '*.pkg.github.com',
];

/** How long a /meta answer is used before it is fetched again (GitHub changes it rarely). */
export const ACTIONS_HOSTS_TTL_MS = 24 * 60 * 60 * 1000;

/** After a failed fetch, the fallback (or the last answer) is used this long before trying again. */
export const ACTIONS_HOSTS_RETRY_MS = 5 * 60 * 1000;

/**
 * The Actions hosts of a `GET /meta` answer (`domains.actions`), the entries Modal can take;
 * undefined when the answer has none (an older GitHub Enterprise Server, a changed format).
 */
export function actionsDomainsOf(meta: unknown): string[] | undefined {
  if (typeof meta !== 'object' || meta === null) return undefined;
  const domains = (meta as { domains?: unknown }).domains;
  if (typeof domains !== 'object' || domains === null) return undefined;
  const actions = (domains as { actions?: unknown }).actions;
  if (!Array.isArray(actions)) return undefined;
  const usable = actions.filter(
    (d): d is string => typeof d === 'string' && (isDomain(d) || isCidr(d)),
  );
  return usable.length > 0 ? usable : undefined;
}

export interface ActionsHostsOptions {
  /** `GET /meta` with the App's Octokit (the endpoint needs no installation). */
  readonly fetchMeta: () => Promise<unknown>;
  readonly now: () => number;
  readonly onError?: (error: unknown) => void;
}

/**
 * GitHub's Actions hosts, cached a day. Never throws and never waits on a failing GitHub twice
 * in a row: a failure answers with the last good list, else FALLBACK_ACTIONS_DOMAINS, and the
 * next fetch is tried after ACTIONS_HOSTS_RETRY_MS.
 */
export function createActionsHosts(options: ActionsHostsOptions): () => Promise<readonly string[]> {
  let hosts: readonly string[] | undefined;
  let nextFetchAt = 0;
  let inFlight: Promise<readonly string[]> | undefined;
  const refresh = async (): Promise<readonly string[]> => {
    try {
      const fetched = actionsDomainsOf(await options.fetchMeta());
      if (!fetched) throw new Error('GET /meta has no domains.actions list');
      hosts = fetched;
      nextFetchAt = options.now() + ACTIONS_HOSTS_TTL_MS;
    } catch (error) {
      options.onError?.(error);
      nextFetchAt = options.now() + ACTIONS_HOSTS_RETRY_MS;
    }
    return hosts ?? FALLBACK_ACTIONS_DOMAINS;
  };
  return async () => {
    if (options.now() < nextFetchAt) return hosts ?? FALLBACK_ACTIONS_DOMAINS;
    inFlight ??= refresh().finally(() => {
      inFlight = undefined;
    });
    return inFlight;
  };
}
