import type { Clock } from '../domain/clock.js';

/** The cache interface of @octokit/auth-app: its own string encoding of a token, by key. */
export interface AuthAppCache {
  get(key: string): string | undefined;
  set(key: string, value: string): void;
}

export interface InstallationTokenCache extends AuthAppCache {
  /** Installation tokens kept now (expired ones are dropped as they are read). */
  size(): number;
}

/** A token is replaced when it has less than this left (GitHub's tokens live an hour). */
const DEFAULT_REFRESH_BEFORE_MS = 5 * 60_000;
const DEFAULT_MAX_ENTRIES = 10_000;

/**
 * Keeps installation tokens for @octokit/auth-app until shortly before they expire, by our
 * clock and the `expires_at` GitHub gave: a read that finds a token about to lapse answers
 * nothing, so auth-app mints a new one. @octokit/auth-app's default keeps each for 59 minutes
 * whatever GitHub said; this one can be seen and tested.
 */
export function createInstallationTokenCache(options: {
  readonly clock: Clock;
  readonly refreshBeforeMs?: number;
  readonly maxEntries?: number;
}): InstallationTokenCache {
  const refreshBeforeMs = options.refreshBeforeMs ?? DEFAULT_REFRESH_BEFORE_MS;
  const maxEntries = options.maxEntries ?? DEFAULT_MAX_ENTRIES;
  const entries = new Map<string, string>();
  return {
    get(key) {
      const value = entries.get(key);
      if (value === undefined) return undefined;
      // auth-app stores "token|createdAt|expiresAt|selection|permissions|file".
      const expiresAt = Date.parse(value.split('|')[2] ?? '');
      if (!(expiresAt - options.clock.now() > refreshBeforeMs)) {
        entries.delete(key);
        return undefined;
      }
      return value;
    },
    set(key, value) {
      entries.delete(key);
      entries.set(key, value);
      if (entries.size > maxEntries) {
        const oldest = entries.keys().next();
        if (!oldest.done) entries.delete(oldest.value);
      }
    },
    size: () => entries.size,
  };
}
