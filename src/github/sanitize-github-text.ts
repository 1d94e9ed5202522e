const CREDENTIAL_PATTERNS: RegExp[] = [
  /\bgh[opsuvr]_[A-Za-z0-9_]{8,}/g,
  /\bgithub_pat_[A-Za-z0-9_]{8,}/g,
  /\b(token|bearer)\s+[A-Za-z0-9_.-]{8,}/gi,
  /\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_.-]+/g,
];

/** GitHub's message text, bounded and cleaned of anything that looks like a credential. */
export function sanitizeGitHubText(text: string): string {
  let clean = text;
  for (const pattern of CREDENTIAL_PATTERNS) clean = clean.replace(pattern, '[REDACTED]');
  return clean.length > 300 ? `${clean.slice(0, 300)}…` : clean;
}
