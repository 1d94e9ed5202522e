import { DEFAULT_TIMINGS } from '../src/config/timings.js';
import type { FloorResult, FloorServer } from './measure-floor.js';
import { median } from './median.js';
import type { PlanMicroResult } from './plan-micro.js';
import type { BurstRunResult } from './run-burst.js';
import type { ExitWatchResult } from './run-exit-watch.js';
import type { Summary } from './summarize.js';

/** Everything one repeat of the bench measured, side by side on the same machine. */
export interface RepeatResult {
  /** The 10,000-webhook bursts against this server, one per connection count. */
  readonly bursts: readonly BurstRunResult[];
  /** The floors under the same bursts. */
  readonly floor: readonly FloorResult[];
  readonly plan: PlanMicroResult;
  /** One fdatasync of a 4 KiB append on the DATA_DIR's file system, ms. */
  readonly fdatasync: Summary;
  readonly exitWatch: ExitWatchResult | undefined;
  /** The machine's 1-minute load average at the repeat's start and end (others share it). */
  readonly loadAverage: readonly [number, number];
}

export interface TargetRow {
  readonly name: string;
  readonly measured: string;
  /** What it is compared with: the floor, the ideal, a limit or the recorded "before". */
  readonly floor: string;
  /** The ratio (or difference) to the floor, with the limit. */
  readonly ratio: string;
  /** Per repeat, the figure the verdict is taken from. */
  readonly perRun: string;
  readonly pass: boolean | undefined;
}

/** The figures recorded before exits were watched by listing (issue #14's earlier profile). */
export const EXIT_WATCH_BEFORE = '1,919 wait calls for 1,001 sandboxes (one long-poll each)';
/**
 * An exit just after a listing read Modal's state is found by the next one, one interval later;
 * the listing's own pages and the ledger write come on top.
 */
export const EXIT_NOTICE_ALLOWANCE_MS = 100;
/** Page size of the fake Modal's sandbox listing (sim/modal/sandbox-queries.ts). */
export const LIST_PAGE_SIZE = 100;

export const ms = (v: number): string =>
  Number.isFinite(v) ? (Math.abs(v) >= 100 ? v.toFixed(0) : v.toFixed(2)) : 'n/a';

export const burstAt = (r: RepeatResult, concurrency: number): BurstRunResult | undefined =>
  r.bursts.find((b) => b.options.concurrency === concurrency);

export const floorAt = (
  r: RepeatResult,
  server: FloorServer,
  concurrency: number,
): FloorResult | undefined =>
  r.floor.find((f) => f.server === server && f.concurrency === concurrency);

export function idealPerSecond(r: BurstRunResult): number {
  const o = r.options;
  return (o.maxConcurrentLaunches * 1000) / (o.githubLatencyMs + o.modalLatencyMs);
}

/** measured ≤ limit × floor, on the medians of the repeats. */
function ratioRow(
  repeats: readonly RepeatResult[],
  name: string,
  measuredOf: (r: RepeatResult) => number | undefined,
  floorOf: (r: RepeatResult) => number | undefined,
  limit: number,
): TargetRow {
  const measured = median(repeats.map((r) => measuredOf(r) ?? NaN));
  const floor = median(repeats.map((r) => floorOf(r) ?? NaN));
  const ratio = measured / floor;
  const perRun = repeats.map((r) => ((measuredOf(r) ?? NaN) / (floorOf(r) ?? NaN)).toFixed(2));
  return {
    name,
    measured: `${ms(measured)} ms`,
    floor: `${ms(floor)} ms`,
    ratio: `${ratio.toFixed(2)}× (≤ ${limit}×)`,
    perRun: perRun.map((x) => `${x}×`).join(', '),
    pass: Number.isFinite(ratio) ? ratio <= limit : undefined,
  };
}

type Figure = (x: { readonly answer: Summary; readonly msPerWebhook: number }) => number;

/** What is compared at a connection count, and the limit: one at a time, the answer itself. */
const webhookSpecs = (c: number): [string, Figure, number][] =>
  c === 1
    ? [
        ['answer p50', (x) => x.answer.p50, 1.3],
        ['answer p99', (x) => x.answer.p99, 1.5],
      ]
    : [
        ['time per webhook', (x) => x.msPerWebhook, 1.3],
        ['answer p99', (x) => x.answer.p99, 1.3],
      ];

/** The webhook targets at each connection count the bench ran. */
function webhookRows(repeats: readonly RepeatResult[], concurrencies: number[]): TargetRow[] {
  return concurrencies.flatMap((c) =>
    webhookSpecs(c).map(([what, figure, limit]) =>
      ratioRow(
        repeats,
        `${c === 1 ? 'one at a time (1 connection)' : `${c} connections`}: ${what} ≤ ${limit} × the empty Probot app's`,
        (r) => {
          const b = burstAt(r, c);
          return b && figure(b);
        },
        (r) => {
          const f = floorAt(r, 'probot', c);
          return f && figure(f);
        },
        limit,
      ),
    ),
  );
}

/** Dispatch overhead p99 ≤ the dispatch floor's p99 + 5 ms, at each connection count. */
function dispatchRows(repeats: readonly RepeatResult[], concurrencies: number[]): TargetRow[] {
  return concurrencies.map((c) => {
    const oursOf = (r: RepeatResult) => burstAt(r, c)?.launch.createOverhead.p99 ?? NaN;
    const floorOf = (r: RepeatResult) => floorAt(r, 'probot-dispatch', c)?.dispatch?.p99 ?? NaN;
    const measured = median(repeats.map(oursOf));
    const floor = median(repeats.map(floorOf));
    const over = measured - floor;
    return {
      name: `dispatch overhead p99 ≤ the dispatch floor's p99 + 5 ms (${c} connection${c === 1 ? '' : 's'})`,
      measured: `${ms(measured)} ms`,
      floor: `${ms(floor)} ms`,
      ratio: `${over >= 0 ? '+' : ''}${ms(over)} ms (≤ +5 ms)`,
      perRun: repeats.map((r) => `${ms(oursOf(r) - floorOf(r))}`).join(', '),
      pass: Number.isFinite(over) ? over <= 5 : undefined,
    };
  });
}

/** Launch throughput, plan() and peak RSS. */
function scaleRows(repeats: readonly RepeatResult[], concurrency: number): TargetRow[] {
  const throughputOf = (r: RepeatResult) => {
    const b = burstAt(r, concurrency);
    return b ? b.launch.throughputPerSecond / idealPerSecond(b) : NaN;
  };
  const ideal = repeats[0] && burstAt(repeats[0], concurrency);
  const tp = median(repeats.map(throughputOf));
  const planOf = (r: RepeatResult) => r.plan.plan.p99;
  const plan = median(repeats.map(planOf));
  const rssOf = (r: RepeatResult) => Math.max(...r.bursts.map((b) => b.peakRssMb));
  const rss = median(repeats.map(rssOf));
  const jobs = ideal?.options.jobs.toLocaleString('en-US') ?? '?';
  return [
    {
      name: `launch throughput ≥ 1.0 × ideal (${jobs}-webhook burst, ${concurrency} connections)`,
      measured: `${median(repeats.map((r) => burstAt(r, concurrency)?.launch.throughputPerSecond ?? NaN)).toFixed(1)}/s`,
      floor: ideal ? `ideal ${idealPerSecond(ideal).toFixed(1)}/s` : 'n/a',
      ratio: `${tp.toFixed(2)}× (≥ 1.0×)`,
      perRun: repeats.map((r) => `${throughputOf(r).toFixed(2)}×`).join(', '),
      pass: Number.isFinite(tp) ? tp >= 1.0 : undefined,
    },
    {
      name: `plan() at ${repeats[0]?.plan.jobs.toLocaleString('en-US') ?? '?'} queued jobs ≤ 10 ms (p99)`,
      measured: `${ms(plan)} ms (p50 ${ms(median(repeats.map((r) => r.plan.plan.p50)))} ms)`,
      floor: 'limit 10 ms',
      ratio: `${(plan / 10).toFixed(2)} of the limit`,
      perRun: repeats.map((r) => ms(planOf(r))).join(', '),
      pass: plan <= 10,
    },
    {
      name: `peak RSS at ${jobs} jobs ≤ 200 MB (highest of the runs)`,
      measured: `${rss.toFixed(0)} MB`,
      floor: 'limit 200 MB',
      ratio: `${(rss / 200).toFixed(2)} of the limit`,
      perRun: repeats.map((r) => rssOf(r).toFixed(0)).join(', '),
      pass: rss <= 200,
    },
  ];
}

/** The job-records loop lists the sandboxes too (src/reconciler/tag-ran-jobs.ts). */
const JOB_RECORDS_INTERVAL_MS = DEFAULT_TIMINGS.jobRecords.intervalMs;

/** Calls to Modal per minute with the fleet idle and busy; exit → slot reused. */
function exitRows(repeats: readonly RepeatResult[]): TargetRow[] {
  const runs = repeats.flatMap((r) => (r.exitWatch ? [r.exitWatch] : []));
  const first = runs[0];
  if (first === undefined) return [];
  // Pages of the warm-up's and the runners' sandboxes, and the empty page that ends a listing.
  const pages = Math.ceil((first.runners + 1) / LIST_PAGE_SIZE) + 1;
  // One listing per exit-watch interval, and one per job-records interval (the leader's loop
  // that reads which job an untagged sandbox ran); a window can hold one more of each.
  const listings = 60_000 / first.intervalMs + 1 + (60_000 / JOB_RECORDS_INTERVAL_MS + 1);
  const bound = listings * pages;
  const calls = (phase: 'idle' | 'busy'): TargetRow => {
    const list = median(runs.map((x) => x[phase].listPerMinute));
    const all = median(runs.map((x) => x[phase].perMinute));
    return {
      name: `exit watching, ${first.runners.toLocaleString('en-US')} ${phase === 'idle' ? 'idle' : 'busy (exiting)'} runners: calls to Modal per minute`,
      measured: `${list.toFixed(0)} listing calls/min (${all.toFixed(0)}/min all calls)`,
      floor: `before: ${EXIT_WATCH_BEFORE}`,
      ratio: `≤ ${bound} (a ${pages}-page listing per ${first.intervalMs / 1000} s for exits and per ${JOB_RECORDS_INTERVAL_MS / 1000} s for job records)`,
      perRun: runs.map((x) => x[phase].listPerMinute.toFixed(0)).join(', '),
      pass: list <= bound,
    };
  };
  const freedMax = median(runs.map((x) => x.freed.max));
  const allowed = first.intervalMs + EXIT_NOTICE_ALLOWANCE_MS;
  return [
    calls('idle'),
    calls('busy'),
    {
      name: `sandbox exit → its slot free (runner done) ≤ one interval (+${EXIT_NOTICE_ALLOWANCE_MS} ms for the listing itself), max of ${first.exits} exits; reuse by a waiting job shown`,
      measured: `${ms(freedMax)} ms (p50 ${ms(median(runs.map((x) => x.freed.p50)))}); slot reused p50 / max ${ms(median(runs.map((x) => x.reused.p50)))} / ${ms(median(runs.map((x) => x.reused.max)))} ms`,
      floor: `interval ${first.intervalMs} ms`,
      ratio: `${(freedMax / first.intervalMs).toFixed(3)} of the interval (≤ ${(allowed / first.intervalMs).toFixed(2)})`,
      perRun: runs.map((x) => ms(x.freed.max)).join(', '),
      pass: Number.isFinite(freedMax) ? freedMax <= allowed : undefined,
    },
  ];
}

/** Every target of issue #14, each on the medians of the repeats. */
export function targetRows(repeats: readonly RepeatResult[]): TargetRow[] {
  const concurrencies = [
    ...new Set(repeats.flatMap((r) => r.bursts.map((b) => b.options.concurrency))),
  ].sort((a, b) => b - a);
  const widest = concurrencies[0] ?? 32;
  return [
    ...webhookRows(repeats, concurrencies),
    ...dispatchRows(repeats, concurrencies),
    ...scaleRows(repeats, widest),
    ...exitRows(repeats),
  ];
}

export const verdict = (t: TargetRow): string =>
  t.pass === undefined ? 'not measured' : t.pass ? 'PASS' : 'MISS';
