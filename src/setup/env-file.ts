import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';

/** `KEY=value` for a .env line: quoted, with newlines as `\n`, when the value needs it. */
function envLine(key: string, value: string): string {
  if (/^[\w@%+=:,./-]*$/.test(value)) return `${key}=${value}`;
  return `${key}="${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\r?\n/g, '\\n')}"`;
}

/**
 * Sets `values` in the .env file at `path` (created if missing), keeping every other line and
 * comment: a key's first `KEY=` line is replaced (with the rest of a quoted value that spans
 * lines), a key without one is appended. The file is left readable by its owner only (0600):
 * it holds the App's private key.
 */
export function updateEnvFile(path: string, values: Readonly<Record<string, string>>): void {
  const lines = existsSync(path) ? readFileSync(path, 'utf8').split('\n') : [];
  if (lines.at(-1) === '') lines.pop();
  const pending = new Map(Object.entries(values));
  const out: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as string;
    const key = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=/.exec(line)?.[1];
    const value = key === undefined ? undefined : pending.get(key);
    if (key === undefined || value === undefined) {
      out.push(line);
      continue;
    }
    out.push(envLine(key, value));
    pending.delete(key);
    // A double-quoted value left open on this line continues to its closing quote.
    const rest = line.slice(line.indexOf('=') + 1).trim();
    if (rest.startsWith('"') && !/[^\\]"\s*(#.*)?$/.test(rest.slice(1) || ' ')) {
      while (i + 1 < lines.length && !/(^|[^\\])"\s*(#.*)?$/.test(lines[i + 1] as string)) i++;
      i++;
    }
  }
  for (const [key, value] of pending) out.push(envLine(key, value));
  writeFileSync(path, `${out.join('\n')}\n`, { mode: 0o600 });
  chmodSync(path, 0o600);
}
