/** What one doctor check found. */
export type CheckStatus = 'PASS' | 'WARN' | 'FAIL' | 'SKIP' | 'INFO';

/** The groups the report is printed in, in this order. */
export const CHECK_SECTIONS = [
  'Configuration',
  'GitHub App',
  'Webhook',
  'Installations',
  'Runner group',
  'Runner version',
  'Modal',
  'Database',
] as const;

export type CheckSection = (typeof CHECK_SECTIONS)[number];

export interface CheckResult {
  readonly section: CheckSection;
  /** Short name of what was checked, e.g. `webhook URL`. */
  readonly name: string;
  readonly status: CheckStatus;
  /** One line: what was found. */
  readonly summary: string;
  /** More lines: lists, GitHub's or Modal's own message. */
  readonly details?: readonly string[];
  /** For WARN and FAIL: exactly what to change (which variable, which setting, which URL). */
  readonly fix?: string;
}

type Extra = Pick<CheckResult, 'details' | 'fix'>;

function make(status: CheckStatus) {
  return (
    section: CheckSection,
    name: string,
    summary: string,
    extra: Extra = {},
  ): CheckResult => ({
    section,
    name,
    status,
    summary,
    ...(extra.details && extra.details.length > 0 ? { details: extra.details } : {}),
    ...(extra.fix ? { fix: extra.fix } : {}),
  });
}

/** Constructors for results, one per status. */
export const result = {
  pass: make('PASS'),
  warn: make('WARN'),
  fail: make('FAIL'),
  skip: make('SKIP'),
  info: make('INFO'),
};

/** 0 when nothing failed (warnings are fine), 1 otherwise. */
export function doctorExitCode(results: readonly CheckResult[]): number {
  return results.some((r) => r.status === 'FAIL') ? 1 : 0;
}

const COLORS: Readonly<Record<CheckStatus, string>> = {
  PASS: '\u001b[32m',
  WARN: '\u001b[33m',
  FAIL: '\u001b[31m',
  SKIP: '\u001b[90m',
  INFO: '\u001b[36m',
};
const RESET = '\u001b[0m';
const INDENT = ' '.repeat(10);

/** Multi-line text (an SDK's message) kept under its check: blank lines dropped, the rest indented. */
function indent(text: string): string {
  return text
    .split('\n')
    .map((line) => line.trimEnd())
    .filter((line) => line !== '')
    .join(`\n${INDENT}`);
}

/**
 * The report as terminal text: one line per check (`PASS  name: summary`), its details and its
 * fix indented below it, grouped by section, and a summary line. Colour only when asked.
 */
export function formatDoctorReport(
  results: readonly CheckResult[],
  options: { readonly color?: boolean } = {},
): string {
  const paint = (status: CheckStatus) =>
    options.color ? `${COLORS[status]}${status}${RESET}` : status;
  const lines: string[] = ['modal-github-runner doctor', ''];
  for (const section of CHECK_SECTIONS) {
    const inSection = results.filter((r) => r.section === section);
    if (inSection.length === 0) continue;
    lines.push(section);
    for (const r of inSection) {
      lines.push(`  ${paint(r.status)}  ${r.name}: ${indent(r.summary)}`);
      for (const detail of r.details ?? []) lines.push(`${INDENT}${indent(detail)}`);
      if (r.fix) lines.push(`${INDENT}fix: ${indent(r.fix)}`);
    }
    lines.push('');
  }
  const count = (status: CheckStatus) => results.filter((r) => r.status === status).length;
  const failed = count('FAIL');
  lines.push(
    `${count('PASS')} passed, ${count('WARN')} warning(s), ${failed} failed, ${count('SKIP')} skipped.`,
  );
  lines.push(
    failed === 0
      ? 'Nothing failed: the App can launch runners.'
      : 'Fix the FAIL lines above (each says how) and run `modal-github-runner doctor` again.',
  );
  return `${lines.join('\n')}\n`;
}
