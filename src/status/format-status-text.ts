import { formatAge, queueReasonText, replicaLine, upstreamText } from './render-status-html.js';
import type { StatusSnapshot } from './status-snapshot.js';
import { terminalSafe } from './terminal-safe.js';

/** Pads cells into aligned columns. */
function columns(rows: readonly (readonly string[])[]): string[] {
  const widths: number[] = [];
  for (const row of rows)
    row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  return rows.map((row) =>
    row
      .map((cell, i) => cell.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd(),
  );
}

function section(
  title: string,
  header: readonly string[],
  rows: readonly (readonly string[])[],
  empty: string,
  total: number,
) {
  if (rows.length === 0) return [`${title}: ${empty}`];
  const more = total > rows.length ? [`  … and ${total - rows.length} more`] : [];
  return [`${title}:`, ...columns([header, ...rows]).map((line) => `  ${line}`), ...more];
}

const text = (value: unknown) => (value === null || value === undefined ? '-' : String(value));

/**
 * The status page's summary for a terminal (`modal-github-runner status`), with every value
 * from the snapshot stripped of control characters and escape sequences. Pure.
 */
export function formatStatusText(
  untrusted: StatusSnapshot,
  options: { readonly maxRows?: number } = {},
): string {
  // Labels, repository names, reasons and errors come from workflow files, GitHub and Modal,
  // and the snapshot from a server over the network: none may drive the terminal.
  const snapshot = terminalSafe(untrusted);
  const maxRows = options.maxRows ?? 20;
  const s = snapshot.summary;
  const byClass = Object.entries(s.runnersByClass)
    .map(([name, n]) => `${name} ${n}`)
    .join(', ');
  const last = snapshot.history.slice(-1)[0];
  const peak = snapshot.history.reduce((m, h) => Math.max(m, h.liveRunners), 0);
  const peakQueue = snapshot.history.reduce((m, h) => Math.max(m, h.queuedJobs), 0);
  const lines = [
    `modal-github-runner status as of ${new Date(snapshot.generatedAt).toISOString()}`,
    ...snapshot.warnings.map((w) => `  WARNING: ${w}`),
    ...(s.foreignJobs > 0
      ? [`  ${s.foreignJobs} runner(s) taken by a job we did not launch for`]
      : []),
    `  live runners ${s.liveRunners}/${s.maxRunners}${byClass ? ` (${byClass})` : ''}, queued jobs ${s.queuedJobs}, jobs running ${s.inProgressJobs}`,
    last
      ? `  last hour: peak ${peak} live runners, peak ${peakQueue} queued (${snapshot.history.length} samples)`
      : '  last hour: no samples yet',
    ...(snapshot.replica ? [`  ${replicaLine(snapshot.replica)}`] : []),
    ...(snapshot.runnerVersion ? [`  runner version ${snapshot.runnerVersion}`] : []),
    ...(snapshot.upstreams ?? []).map((u) => `  ${upstreamText(u, snapshot.generatedAt)}`),
    '',
    ...section(
      'Live runners',
      ['RUNNER', 'CLASS', 'STATE', 'REPOSITORY', 'JOB', 'AGE', 'SANDBOX'],
      snapshot.runners
        .slice(0, maxRows)
        .map((r) => [
          r.name,
          r.runnerClass,
          r.state,
          text(r.repo),
          r.foreign ? `${text(r.jobId)} (not ours)` : text(r.jobId),
          formatAge(r.ageSeconds),
          text(r.sandboxId),
        ]),
      'none',
      s.liveRunners,
    ),
    '',
    ...section(
      'Queued jobs',
      ['#', 'JOB', 'REPOSITORY', 'CLASS', 'WAITING', 'WHY'],
      snapshot.queue
        .slice(0, maxRows)
        .map((q) => [
          String(q.position),
          String(q.jobId),
          q.repo,
          q.runnerClass,
          formatAge(q.waitingSeconds),
          queueReasonText(q.reason) + (q.lastError ? `: ${q.lastError}` : ''),
        ]),
      'none',
      s.queuedJobs,
    ),
    '',
    ...section(
      'Recent failures (last hour)',
      ['WHEN', 'KIND', 'WHAT', 'CAUSE'],
      snapshot.failures
        .slice(0, maxRows)
        .map((f) => [new Date(f.at).toISOString(), f.kind, f.subject, f.cause]),
      'none',
      snapshot.failures.length,
    ),
  ];
  return `${lines.join('\n')}\n`;
}
