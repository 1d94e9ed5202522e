import type { CheckResult } from './check-result.js';

/** Values from the environment that must never be printed. */
export function secretsOf(env: Readonly<Record<string, string | undefined>>): Set<string> {
  const secrets = new Set<string>();
  for (const name of [
    'PRIVATE_KEY',
    'WEBHOOK_SECRET',
    'MODAL_TOKEN_SECRET',
    'STATUS_TOKEN',
    'METRICS_TOKEN',
    'DATABASE_URL',
  ]) {
    const value = env[name];
    if (value) secrets.add(value);
  }
  return secrets;
}

function redact(text: string, secrets: ReadonlySet<string>): string {
  let out = text;
  for (const secret of secrets) {
    // A PEM key is also hidden line by line, in case only part of it was echoed.
    const lines = secret
      .replace(/\\n/g, '\n')
      .split('\n')
      .filter((line) => line.trim().length >= 16 && !line.startsWith('-----'));
    const pieces = [...(secret.length >= 4 ? [secret] : []), ...lines];
    for (const piece of pieces) out = out.split(piece).join('[redacted]');
  }
  return out;
}

/** The result with every secret replaced by `[redacted]`. */
export function redactResult(r: CheckResult, secrets: ReadonlySet<string>): CheckResult {
  return {
    ...r,
    summary: redact(r.summary, secrets),
    ...(r.details ? { details: r.details.map((d) => redact(d, secrets)) } : {}),
    ...(r.fix ? { fix: redact(r.fix, secrets) } : {}),
  };
}
