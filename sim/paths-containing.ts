/**
 * Every string path (`a.b[0].c`) inside `value` whose string value contains `needle`. Use it to
 * prove where a secret went, and where it did not.
 */
export function pathsContaining(value: unknown, needle: string, path = '$'): string[] {
  if (typeof value === 'string') return value.includes(needle) ? [path] : [];
  if (value === null || typeof value !== 'object') return [];
  if (value instanceof Uint8Array) {
    return Buffer.from(value).toString('utf8').includes(needle) ? [path] : [];
  }
  if (Array.isArray(value)) {
    return value.flatMap((item, i) => pathsContaining(item, needle, `${path}[${i}]`));
  }
  return Object.entries(value).flatMap(([key, item]) => [
    ...(key.includes(needle) ? [`${path}.${key}(key)`] : []),
    ...pathsContaining(item, needle, `${path}.${key}`),
  ]);
}
