/**
 * A memo of lookups by key: the first call of a key starts its lookup and later calls share it;
 * a lookup that fails is forgotten, so the next call tries again.
 */
export function keepUntilFailed<T>(): (key: string, lookup: () => Promise<T>) => Promise<T> {
  const kept = new Map<string, Promise<T>>();
  return (key, lookup) => {
    let promise = kept.get(key);
    if (promise === undefined) {
      const started = lookup();
      kept.set(key, started);
      started.catch(() => {
        if (kept.get(key) === started) kept.delete(key);
      });
      promise = started;
    }
    return promise;
  };
}
