import type { HistorySample } from './status-history.js';
import type { QueueReason, StatusSnapshot, UpstreamStatus } from './status-snapshot.js';

/** Escapes text for HTML element content and attribute values. */
export function escapeHtml(value: unknown): string {
  return String(value)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

const REASON_TEXT: Readonly<Record<QueueReason, string>> = {
  cap: 'MAX_RUNNERS reached',
  'class-cap': 'class maxRunners reached',
  backoff: 'backing off after a failed launch',
  'github-down': 'GitHub keeps failing: launches paused, probing',
  'modal-down': 'Modal keeps failing: launches paused, probing',
  'runner-starting': 'runner starting',
  pending: 'about to be planned',
};

export function queueReasonText(reason: QueueReason): string {
  return REASON_TEXT[reason];
}

/** `github: ok (checked 5s ago)` or `modal: failing, <error> (checked 5s ago)`. */
export function upstreamText(upstream: UpstreamStatus, now: number): string {
  const state = upstream.status === 'ok' ? 'ok' : `failing, ${upstream.error ?? 'no answer'}`;
  return `${upstream.name}: ${state} (checked ${formatAge((now - upstream.checkedAt) / 1000)} ago)`;
}

/** `42s`, `3m 5s`, `2h 1m`. */
export function formatAge(totalSeconds: number): string {
  const s = Math.max(0, Math.round(totalSeconds));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m ${s % 60}s`;
  return `${Math.floor(s / 3600)}h ${Math.floor((s % 3600) / 60)}m`;
}

const CHART = { width: 720, height: 180, left: 40, right: 10, top: 10, bottom: 24 } as const;

/** `45 s`, `12 min`, `60 min`: how far back the chart reaches. */
function spanText(ms: number): string {
  const s = Math.round(ms / 1000);
  return s < 120 ? `${s} s` : `${Math.round(s / 60)} min`;
}

/**
 * An inline SVG line chart of live runners and queued jobs over the span the samples cover
 * (from the oldest sample, at most `windowMs` back, to now): a server started ten minutes ago
 * shows ten minutes across the whole width, not a sliver at the edge of an hour.
 */
export function renderHistoryChart(
  history: readonly HistorySample[],
  now: number,
  maxRunners: number,
  windowMs = 3_600_000,
): string {
  const plotW = CHART.width - CHART.left - CHART.right;
  const plotH = CHART.height - CHART.top - CHART.bottom;
  const oldest = history.reduce((m, s) => Math.min(m, s.at), now);
  const spanMs = Math.max(1000, Math.min(windowMs, now - oldest));
  const peak = Math.max(1, ...history.map((s) => Math.max(s.liveRunners, s.queuedJobs)));
  const yMax = niceCeil(Math.max(peak, Math.min(maxRunners, peak * 1.25)));
  const x = (at: number) =>
    CHART.left + Math.min(1, Math.max(0, (at - (now - spanMs)) / spanMs)) * plotW;
  const y = (v: number) => CHART.top + plotH - (v / yMax) * plotH;
  const line = (pick: (s: HistorySample) => number) =>
    history.map((s) => `${x(s.at).toFixed(1)},${y(pick(s)).toFixed(1)}`).join(' ');
  const ticks = [0, yMax / 2, yMax]
    .map(
      (v) =>
        `<line x1="${CHART.left}" x2="${CHART.width - CHART.right}" y1="${y(v).toFixed(1)}" y2="${y(v).toFixed(1)}" class="grid"/>` +
        `<text x="${CHART.left - 6}" y="${(y(v) + 4).toFixed(1)}" text-anchor="end">${escapeHtml(Math.round(v))}</text>`,
    )
    .join('');
  const capLine =
    maxRunners <= yMax
      ? `<line x1="${CHART.left}" x2="${CHART.width - CHART.right}" y1="${y(maxRunners).toFixed(1)}" y2="${y(maxRunners).toFixed(1)}" class="cap"><title>MAX_RUNNERS ${escapeHtml(maxRunners)}</title></line>`
      : '';
  const last = history[history.length - 1];
  const span = spanText(spanMs);
  const summary = last
    ? `${history.length} samples over the last ${span}; now ${last.liveRunners} live runners and ${last.queuedJobs} queued jobs`
    : 'no samples yet';
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" role="img" viewBox="0 0 ${CHART.width} ${CHART.height}" width="${CHART.width}" height="${CHART.height}" aria-labelledby="chart-title">` +
    `<title id="chart-title">Live runners and queued jobs: ${escapeHtml(summary)}</title>` +
    ticks +
    capLine +
    `<polyline class="live" points="${line((s) => s.liveRunners)}"/>` +
    `<polyline class="queued" points="${line((s) => s.queuedJobs)}"/>` +
    `<text x="${CHART.left}" y="${CHART.height - 6}">${escapeHtml(span)} ago</text>` +
    `<text x="${CHART.width - CHART.right}" y="${CHART.height - 6}" text-anchor="end">now</text>` +
    `</svg>`
  );
}

/** The smallest of 4, 6, 8, 10, 20, 40, 60… at least `value`: the midline stays a whole number. */
function niceCeil(value: number): number {
  if (value <= 4) return 4;
  const magnitude = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 2, 4, 6, 8, 10]) {
    if (step * magnitude >= value) return step * magnitude;
  }
  return 10 * magnitude;
}

/** Which replica answered and which leads. */
export function replicaLine(replica: { id: string; leader: string | null; isLeader: boolean }) {
  return replica.isLeader
    ? `Served by replica ${replica.id}, the leader.`
    : `Served by replica ${replica.id}; leader: ${replica.leader ?? 'none right now'}.`;
}

/** Markup made here from escaped parts; every other cell is text and escaped. */
interface Markup {
  readonly html: string;
}

/** A time shown as `text`, with its ISO time on hover and in `datetime`. */
export function timeMarkup(text: string, at: number): Markup {
  const iso = escapeHtml(new Date(at).toISOString());
  return { html: `<time datetime="${iso}" title="${iso}">${escapeHtml(text)}</time>` };
}

const isMarkup = (cell: unknown): cell is Markup =>
  typeof cell === 'object' && cell !== null && 'html' in cell;

function table(headers: readonly string[], rows: readonly (readonly unknown[])[], empty: string) {
  if (rows.length === 0) return `<p class="empty">${escapeHtml(empty)}</p>`;
  const head = headers.map((h) => `<th scope="col">${escapeHtml(h)}</th>`).join('');
  const cell = (value: unknown) => (isMarkup(value) ? value.html : escapeHtml(value ?? '—'));
  const body = rows
    .map((row) => `<tr>${row.map((value) => `<td>${cell(value)}</td>`).join('')}</tr>`)
    .join('');
  return `<table><thead><tr>${head}</tr></thead><tbody>${body}</tbody></table>`;
}

function renderUpstreams(snapshot: StatusSnapshot): string {
  const upstreams = snapshot.upstreams ?? [];
  if (upstreams.length === 0) return '';
  const items = upstreams
    .map(
      (u) =>
        `<li class="${u.status === 'ok' ? 'ok' : 'failing'}">${escapeHtml(upstreamText(u, snapshot.generatedAt))}</li>`,
    )
    .join('');
  return `<ul class="upstreams" id="upstreams" aria-label="Upstreams">${items}</ul>`;
}

const STYLE = `
body{font:14px/1.4 system-ui,sans-serif;margin:1.5rem;color:#1f2328;background:#fff}
h1{font-size:1.4rem;margin:0 0 .25rem}h2{font-size:1.1rem;margin:1.5rem 0 .5rem}
.meta{color:#59636e;margin:0 0 1rem}
.tiles{display:flex;gap:1rem;flex-wrap:wrap}
.warning{border:1px solid #d1242f;background:#ffebe9;border-radius:6px;padding:.5rem 1rem}
.tile{border:1px solid #d1d9e0;border-radius:6px;padding:.5rem 1rem;min-width:8rem}
.tile b{display:block;font-size:1.6rem}
table{border-collapse:collapse;width:100%;max-width:72rem}
th,td{border-bottom:1px solid #d1d9e0;padding:.3rem .5rem;text-align:left;vertical-align:top}
td{font-variant-numeric:tabular-nums;overflow-wrap:anywhere}td:nth-child(-n+2){white-space:nowrap}
time[title]{text-decoration:underline dotted #8c959f;cursor:help}
.empty{color:#59636e}
.upstreams{list-style:none;padding:0;margin:.75rem 0}.upstreams .failing{color:#cf222e;font-weight:600}
svg text{font-size:11px;fill:#59636e}
svg .grid{stroke:#eef1f4}svg .cap{stroke:#cf222e;stroke-dasharray:4 3}
svg polyline{fill:none;stroke-width:2}svg .live{stroke:#0969da}svg .queued{stroke:#bc4c00}
.legend span{margin-right:1rem}.legend .l{color:#0969da}.legend .q{color:#bc4c00}.legend .c{color:#cf222e}
`;

/**
 * The `/status` page: server-rendered HTML with no scripts (the response's CSP forbids them),
 * refreshed by the browser every 15 seconds. Every value is escaped.
 */
export function renderStatusHtml(
  snapshot: StatusSnapshot,
  options: { readonly refreshSeconds?: number } = {},
): string {
  const s = snapshot.summary;
  const refresh = options.refreshSeconds ?? 15;
  const byClass = Object.entries(s.runnersByClass)
    .map(([name, n]) => `${name}: ${n}`)
    .join(', ');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1">
<meta http-equiv="refresh" content="${refresh}">
<title>modal-github-runner status</title>
<style>${STYLE}</style></head>
<body>
<h1>modal-github-runner</h1>
<p class="meta">As of ${timeMarkup(`${new Date(snapshot.generatedAt).toISOString().slice(11, 19)} UTC`, snapshot.generatedAt).html}; refreshes every ${refresh} s.${snapshot.replica ? ` ${escapeHtml(replicaLine(snapshot.replica))}` : ''}</p>
${snapshot.warnings.map((w) => `<p class="warning" role="alert">⚠ ${escapeHtml(w)}</p>`).join('\n')}
<div class="tiles">
<div class="tile" id="live-runners"><b>${escapeHtml(s.liveRunners)}</b>live runners (max ${escapeHtml(s.maxRunners)})</div>
<div class="tile" id="queued-jobs"><b>${escapeHtml(s.queuedJobs)}</b>queued jobs</div>
<div class="tile" id="running-jobs"><b>${escapeHtml(s.inProgressJobs)}</b>jobs running</div>
${s.foreignJobs > 0 ? `<div class="tile" id="foreign-jobs"><b>${escapeHtml(s.foreignJobs)}</b>taken by a job we did not launch for</div>` : ''}
</div>
${byClass ? `<p class="meta">Runners by class: ${escapeHtml(byClass)}</p>` : ''}
${snapshot.runnerVersion ? `<p class="meta" id="runner-version">Runner version: ${escapeHtml(snapshot.runnerVersion)}</p>` : ''}
${renderUpstreams(snapshot)}
<h2>Runners and queue</h2>
<p class="legend"><span class="l">━ live runners</span><span class="q">━ queued jobs</span><span class="c">┅ MAX_RUNNERS</span></p>
${renderHistoryChart(snapshot.history, snapshot.generatedAt, s.maxRunners)}
<h2 id="runners">Live runners</h2>
${table(
  ['runner', 'class', 'state', 'repository', 'job', 'age', 'sandbox'],
  snapshot.runners.map((r) => [
    r.name,
    r.runnerClass,
    r.state,
    r.repo,
    r.foreign ? `${r.jobId} (taken by a job we did not launch for)` : r.jobId,
    timeMarkup(formatAge(r.ageSeconds), snapshot.generatedAt - r.ageSeconds * 1000),
    r.sandboxId,
  ]),
  'No live runners.',
)}
<h2 id="queue">Queued jobs</h2>
${table(
  ['#', 'job', 'repository', 'class', 'waiting', 'why it waits', 'launch attempts', 'last error'],
  snapshot.queue.map((q) => [
    q.position,
    q.jobId,
    q.repo,
    q.runnerClass,
    timeMarkup(formatAge(q.waitingSeconds), snapshot.generatedAt - q.waitingSeconds * 1000),
    queueReasonText(q.reason),
    q.attempts,
    q.lastError,
  ]),
  'No queued jobs.',
)}
<h2 id="failures">Recent failures (last hour)</h2>
${table(
  ['when', 'kind', 'what', 'cause'],
  snapshot.failures.map((f) => [
    timeMarkup(`${formatAge((snapshot.generatedAt - f.at) / 1000)} ago`, f.at),
    f.kind,
    f.subject,
    f.cause,
  ]),
  'No failures in the last hour.',
)}
</body></html>
`;
}
