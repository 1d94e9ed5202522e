/**
 * Keeps one authenticated Octokit per installation (and one for the App itself) instead of
 * building one per call: building an Octokit with Probot's plugins costs a fraction of a
 * millisecond of CPU, paid on every launch otherwise. A kept Octokit stays valid: its auth
 * strategy fetches a new installation token when the old one nears expiry. A build that fails
 * is forgotten, so the next call tries again.
 */
export function createOctokitCache<K, O>(build: (key: K) => Promise<O>): (key: K) => Promise<O> {
  const built = new Map<K, Promise<O>>();
  return (key) => {
    const cached = built.get(key);
    if (cached !== undefined) return cached;
    const made = build(key);
    built.set(key, made);
    made.catch(() => {
      if (built.get(key) === made) built.delete(key);
    });
    return made;
  };
}
