import {
  burstAt,
  EXIT_WATCH_BEFORE,
  floorAt,
  idealPerSecond,
  ms,
  targetRows,
  verdict,
  type RepeatResult,
} from './bench-targets.js';
import { DISPATCH_EVERY } from './dispatch-receiver.js';
import { median } from './median.js';
import { missesSection } from './render-misses.js';
import type { BurstRunResult } from './run-burst.js';
import type { CallWindow } from './run-exit-watch.js';
import type { Summary } from './summarize.js';

export interface BenchReport {
  readonly date: string;
  readonly machine: string;
  readonly command: string;
  readonly githubLatencyMs: number;
  readonly modalLatencyMs: number;
  readonly maxConcurrentLaunches: number;
  readonly maxRunners: number;
  readonly jitRatePerSecond: number;
  readonly jobs: number;
  readonly repeats: readonly RepeatResult[];
  /** `--repeat`: more than `repeats.length` while the run is under way (or was cut short). */
  readonly repeatsAsked: number;
  /** The widest burst again with the ledger on PostgreSQL, once (`--no-postgres` skips it). */
  readonly postgres: BurstRunResult | undefined;
  /** A smaller burst with JIT_RATE_PER_SECOND at the server's default, once. */
  readonly defaultJitRate?: BurstRunResult | undefined;
  /** The Node flags the server ran with (production's). */
  readonly nodeFlags: readonly string[];
  readonly durationSeconds: number;
}

const pair = (s: Summary) => `${ms(s.p50)} / ${ms(s.p99)}`;
const triple = (s: Summary) => `${ms(s.p50)} / ${ms(s.p99)} / ${ms(s.max)}`;

function markdownTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const line = (cells: readonly string[]) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

const RUN_HEADER = [
  'run',
  'connections',
  'answer ms p50 / p99 / max',
  'answer once all launched ms p50 / p99 (webhooks)',
  'ms per webhook',
  'fdatasync beside the burst ms p50 / p99',
  'CPU ms/job',
  'create overhead ms p50 / p99 (server part / gRPC transit p99)',
  'launches/s (÷ ideal)',
  'RSS MB start / peak / end',
  'all launched s',
];

function runRow(repeat: number, r: BurstRunResult): string[] {
  return [
    `${repeat + 1}${r.options.databaseUrl === undefined ? '' : ' (PostgreSQL)'}`,
    String(r.options.concurrency),
    triple(r.answer),
    `${pair(r.answerAfterLaunches)} (${r.answerAfterLaunches.n})`,
    r.msPerWebhook.toFixed(3),
    pair(r.fdatasyncDuringBurst),
    r.cpuMsPerJob.toFixed(2),
    `${pair(r.launch.createOverhead)} (${ms(r.launch.createOverheadServer.p99)} / ${ms(r.launch.createTransit.p99)})`,
    `${r.launch.throughputPerSecond.toFixed(1)} (${(r.launch.throughputPerSecond / idealPerSecond(r)).toFixed(2)})`,
    `${r.startRssMb.toFixed(0)} / ${r.peakRssMb.toFixed(0)} / ${r.rssMb.toFixed(0)}`,
    (r.convergedMs / 1000).toFixed(1),
  ];
}

function concurrenciesOf(r: BenchReport): number[] {
  const all = r.repeats.flatMap((x) => x.bursts.map((b) => b.options.concurrency));
  return [...new Set(all)].sort((a, b) => b - a);
}

/** Median floor and this server, per connection count. */
function floorTable(r: BenchReport): string {
  const cell = (
    pick: (x: RepeatResult) => { answer: Summary; msPerWebhook: number } | undefined,
  ) => {
    const got = r.repeats.map(pick).filter((x) => x !== undefined);
    if (got.length === 0) return 'n/a';
    const m = (f: (x: { answer: Summary; msPerWebhook: number }) => number) => median(got.map(f));
    return `${ms(m((x) => x.answer.p50))} / ${ms(m((x) => x.answer.p99))} (${m((x) => x.msPerWebhook).toFixed(3)})`;
  };
  const rows = concurrenciesOf(r).map((c) => [
    String(c),
    cell((x) => floorAt(x, 'node', c)),
    cell((x) => floorAt(x, 'probot', c)),
    cell((x) => burstAt(x, c)),
    `${ms(median(r.repeats.map((x) => floorAt(x, 'probot-dispatch', c)?.dispatch?.p50 ?? NaN)))} / ${ms(median(r.repeats.map((x) => floorAt(x, 'probot-dispatch', c)?.dispatch?.p99 ?? NaN)))}`,
    `${ms(median(r.repeats.map((x) => burstAt(x, c)?.launch.createOverhead.p50 ?? NaN)))} / ${ms(median(r.repeats.map((x) => burstAt(x, c)?.launch.createOverhead.p99 ?? NaN)))}`,
  ]);
  return markdownTable(
    [
      'connections',
      'empty Node server: answer ms p50 / p99 (ms per webhook)',
      'empty Probot app: answer ms p50 / p99 (ms per webhook)',
      'this server: answer ms p50 / p99 (ms per webhook)',
      `dispatch floor: gRPC call from the empty Probot app's handler, ms p50 / p99`,
      'this server: dispatch overhead ms p50 / p99',
    ],
    rows,
  );
}

const callsText = (w: CallWindow) =>
  Object.entries(w.byMethod)
    .sort((a, b) => b[1] - a[1])
    .map(([method, n]) => `${method} ${n}`)
    .join(', ');

function exitWatchSection(r: BenchReport): string[] {
  const runs = r.repeats.flatMap((x, i) => (x.exitWatch ? [{ i, e: x.exitWatch }] : []));
  const first = runs[0]?.e;
  if (first === undefined) return [];
  return [
    '## Exit watching',
    '',
    `The real server with production's exit-watch timings (one tag-filtered listing of the running sandboxes every ${first.intervalMs / 1000} s; a runner changed in the last 5 s is not judged gone) and MAX_RUNNERS=${first.runners}. ${first.runners.toLocaleString('en-US')} jobs are launched, with ${first.exits} more waiting at the cap. Then the runners stay **idle** (window 1), then all become **busy** (an \`in_progress\` webhook names each runner) and ${first.exits} of their sandboxes exit, spread evenly over the window, with no \`completed\` webhook, so that only the listing finds them (window 2, one minute from the \`in_progress\` deliveries). Counted are the server's calls to the fake Modal's control plane (each relaunch also writes its sandbox's stdin once through the command router, not counted). A second loop lists the sandboxes too: the leader's job-records loop (once a minute), which also reads the job record of at most 50 untagged sandboxes per minute with one \`exec\` each through their command routers (not counted here; bounded per minute, not per sandbox). Before (recorded, not rebuilt): ${EXIT_WATCH_BEFORE} in the earlier profile, i.e. one open long-poll per live sandbox, each re-issued every time Modal answers "still running".`,
    '',
    markdownTable(
      [
        'run',
        'window',
        'length s',
        'calls to Modal (by method)',
        'listing calls/min',
        'all calls/min',
      ],
      runs.flatMap(({ i, e }) =>
        (['idle', 'busy'] as const).map((phase) => [
          String(i + 1),
          phase === 'idle' ? 'idle' : `busy, ${e.exits} exits`,
          (e[phase].windowMs / 1000).toFixed(0),
          callsText(e[phase]),
          e[phase].listPerMinute.toFixed(1),
          e[phase].perMinute.toFixed(1),
        ]),
      ),
    ),
    '',
    markdownTable(
      [
        'run',
        'exit → slot free (runner done) ms p50 / p99 / max',
        'exit → slot reused (create request of a waiting job) ms p50 / p99 / max',
      ],
      runs.map(({ i, e }) => [String(i + 1), triple(e.freed), triple(e.reused)]),
    ),
    '',
    `*Slot free* is when the server recorded the runner done (its ledger's \`updatedAt\`, whole ms), after the listing no longer showed the sandbox; *slot reused* pairs the k-th exit with the k-th create request for a job that waited at the cap. An exit just after a listing waits for the next one, so the time to *slot free* is up to one interval plus the listing's own time; the reuse adds the launch's dispatch (and, when several exits are found by one listing, the wait for a launch slot: MAX_CONCURRENT_LAUNCHES=${r.maxConcurrentLaunches}).`,
    '',
  ];
}

function durabilitySection(r: BenchReport): string[] {
  const fsync = (pick: (s: Summary) => number) => median(r.repeats.map((x) => pick(x.fdatasync)));
  const oursP50 = median(r.repeats.map((x) => burstAt(x, 1)?.answer.p50 ?? NaN));
  const probotP50 = median(r.repeats.map((x) => floorAt(x, 'probot', 1)?.answer.p50 ?? NaN));
  const split = (pick: (b: BurstRunResult) => Summary) => {
    const got = r.repeats.flatMap((x) => {
      const b = burstAt(x, 1);
      return b ? [pick(b)] : [];
    });
    const m = (f: (s: Summary) => number) => ms(median(got.map(f)));
    return `${m((s) => s.p50)} / ${m((s) => s.p99)} ms (${got.map((s) => s.n).join(', ')} webhooks)`;
  };
  const during = split((b) => b.answerDuringLaunches);
  const after = split((b) => b.answerAfterLaunches);
  return [
    '## Durability: the cost of fdatasync',
    '',
    `The server answers a \`queued\` webhook only once its job is durable: the ledger's group commit writes the jobs of one event-loop turn in one SQLite transaction and then fdatasyncs the WAL on libuv's thread pool (src/ledger/wal-sync.ts; syncs that overlap share one), as issue #13 requires. In a burst many webhooks share a sync; one webhook at a time pays a whole one each. Measured in the same run, on the file system the server's DATA_DIR is on (a 4 KiB append then \`datasync()\`, 300 times per repeat): fdatasync p50 **${ms(fsync((s) => s.p50))} ms**, p99 **${ms(fsync((s) => s.p99))} ms**, max ${ms(fsync((s) => s.max))} ms (median of the repeats; per repeat p50 / p99: ${r.repeats.map((x) => pair(x.fdatasync)).join('; ')}).`,
    '',
    `One webhook at a time, this server's answer p50 is ${ms(oursP50)} ms against the empty Probot app's ${ms(probotP50)} ms (${ms(oursP50 - probotP50)} ms more). The empty Probot app writes nothing, so it pays no sync. The same run split by when each webhook was sent: while the burst's ${r.maxRunners.toLocaleString('en-US')} launches ran (each of the first webhooks starts one: minting, the SDK's create, the runner writes, planning), answer p50 / p99 ${during}; after the last of its sandboxes was created, when a webhook is only verified, recorded, synced and answered, ${after}. What remains of the gap once the launches are done is this server's own path for a webhook (the record, its sync, the planner's check); what comes on top while they run is the launches' work on the same event loop and the same two cores.`,
    '',
    markdownTable(
      [
        'connections',
        "fdatasync beside this server's burst ms p50 / p99",
        "fdatasync beside the empty Probot app's burst ms p50 / p99",
        'this server ms per webhook',
        'empty Probot app ms per webhook',
      ],
      concurrenciesOf(r).map((c) => {
        const m = (xs: (number | undefined)[]) => ms(median(xs.map((x) => x ?? NaN)));
        return [
          String(c),
          `${m(r.repeats.map((x) => burstAt(x, c)?.fdatasyncDuringBurst.p50))} / ${m(r.repeats.map((x) => burstAt(x, c)?.fdatasyncDuringBurst.p99))}`,
          `${m(r.repeats.map((x) => floorAt(x, 'probot', c)?.fdatasyncDuringBurst.p50))} / ${m(r.repeats.map((x) => floorAt(x, 'probot', c)?.fdatasyncDuringBurst.p99))}`,
          m(r.repeats.map((x) => burstAt(x, c)?.msPerWebhook)),
          m(r.repeats.map((x) => floorAt(x, 'probot', c)?.msPerWebhook)),
        ];
      }),
    ),
    '',
    "The probe beside each burst (a 4 KiB append and a datasync every 250 ms, in the bench's process, on the same file system) runs beside the floors' bursts too, so both carry its load. It appends to its file, so each of its syncs also commits the file's new size; SQLite rewrites its WAL in place once it has grown, so the server's syncs can cost less (see *Missed targets*). A connection waits for its webhook's sync before it sends the next one: at C connections and a sync of S ms, at most about C webhooks are answered per S ms, however many share a sync.",
    '',
  ];
}

function planSection(r: BenchReport): string[] {
  const plans = r.repeats.map((x) => x.plan);
  const p = plans[0];
  if (p === undefined) return [];
  return [
    '## plan()',
    '',
    `The pure \`plan()\` (src/controller/plan.ts) in-process on ${p.jobs.toLocaleString('en-US')} queued jobs over 50 repositories and ${p.runners.toLocaleString('en-US')} live runners at the MAX_RUNNERS cap, after 20 warm-up calls, ${p.runs} runs per repeat: p50 / p99 / max ${plans.map((x) => triple(x.plan)).join('; ')} ms. Reading its inputs from the SQLite ledger (\`listJobs(['queued'])\` and \`listRunners(live)\`): p50 / p99 ${plans.map((x) => pair(x.ledgerRead)).join('; ')} ms.`,
    '',
  ];
}

function postgresSection(r: BenchReport): string[] {
  const pg = r.postgres;
  const sqlite = r.repeats[0] && burstAt(r.repeats[0], pg?.options.concurrency ?? 0);
  if (pg === undefined || sqlite === undefined) return [];
  return [
    '## Ledger on PostgreSQL (once; `--no-postgres` skips it)',
    '',
    `The same burst with \`DATABASE_URL\` set (the machine's local PostgreSQL over loopback, a schema of its own), as several replicas run it, one replica here; compared with the first repeat's SQLite run. The database server's own CPU is not in the CPU column; it shares the machine's cores.`,
    '',
    markdownTable(RUN_HEADER, [runRow(0, sqlite), runRow(0, pg)]),
    '',
  ];
}

function defaultJitRateSection(r: BenchReport): string[] {
  const run = r.defaultJitRate;
  if (run === undefined) return [];
  return [
    '## The default JIT rate (once; `--no-default-jit-rate` skips it)',
    '',
    `The bursts above set JIT_RATE_PER_SECOND=${r.jitRatePerSecond} so that the limiter does not bound the launch rate. This burst of ${run.options.jobs.toLocaleString('en-US')} webhooks leaves it at its default (10 per second: GitHub advises against bursts of writes, and \`generate-jitconfig\` is a write; on a 403/429 secondary limit the limiter waits for \`retry-after\` and halves its rate). Launches then follow the limiter, not the ${r.maxConcurrentLaunches} launch slots: ${run.launch.throughputPerSecond.toFixed(1)} launches/s; the webhook answers do not wait for it.`,
    '',
    markdownTable(RUN_HEADER, [runRow(0, run)]),
    '',
  ];
}

/** The targets table and the runs, for the terminal. */
export function renderText(r: BenchReport): string {
  const lines = targetRows(r.repeats).map(
    (t) =>
      `${verdict(t).padEnd(5)} ${t.name}: ${t.measured} vs ${t.floor} → ${t.ratio} [per run ${t.perRun}]`,
  );
  return lines.join('\n');
}

/** BENCHMARKS.md, whole. */
export function renderMarkdown(r: BenchReport): string {
  const runs = r.repeats.flatMap((x, i) => x.bursts.map((b) => runRow(i, b)));
  const widest = r.repeats[0]?.bursts[0];
  return [
    '# Benchmarks',
    '',
    'Generated by `npm run bench` (scripts/bench.ts); every figure below comes from the run it',
    "describes, the floors measured in the same run on the same machine. Rerun it to regenerate this file. The targets are issue #14's.",
    '',
    `- **Date:** ${r.date}`,
    `- **Machine:** ${r.machine}`,
    `- **Command:** \`${r.command}\``,
    `- **Repeats:** ${r.repeats.length}${r.repeats.length < r.repeatsAsked ? ` of the ${r.repeatsAsked} asked (the run was cut short)` : ''}; each target is judged on the **median** of the repeats (ratios: median measured ÷ median floor; "per run" lists each repeat's own ratio)`,
    `- **Duration of the run:** ${r.durationSeconds.toFixed(0)} s`,
    `- **Load:** the machine is shared (other engineers' tests run on the same 2 cores); 1-minute load average at the start / end of each repeat: ${r.repeats.map((x) => `${x.loadAverage[0].toFixed(1)} / ${x.loadAverage[1].toFixed(1)}`).join('; ')}`,
    '',
    '## Targets',
    '',
    markdownTable(
      ['target', 'measured (median)', 'floor (median)', 'ratio (limit)', 'per run', 'verdict'],
      targetRows(r.repeats).map((t) => [
        t.name,
        t.measured,
        t.floor,
        t.ratio,
        t.perRun,
        verdict(t),
      ]),
    ),
    '',
    ...missesSection(r.repeats),
    '## Parameters',
    '',
    `- Each repeat: ${r.jobs.toLocaleString('en-US')} signed \`workflow_job.queued\` webhooks at ${concurrenciesOf(r).join(', ')} keep-alive connections against the real server, then the same bursts against the floors, plan() in-process, the fdatasync probe, and the exit-watching run.`,
    `- Simulated API latency: GitHub ${r.githubLatencyMs} ms per request, Modal sandbox create ${r.modalLatencyMs} ms (other Modal RPCs 0 ms).`,
    `- Server: the real server (sim/sim-server-main.ts, compiled by tsconfig.bench.json, run with plain \`node ${r.nodeFlags.join(' ')}\`, production's flags) in its own process; SQLite ledger in a fresh temporary DATA_DIR, durable per group commit (fdatasync); LOG_LEVEL=info (JSON lines to a file, as a log collector drains them); MAX_CONCURRENT_LAUNCHES=${r.maxConcurrentLaunches}, MAX_RUNNERS=${r.maxRunners} (+1 for the warm-up job; the other jobs of a burst wait at the cap), JIT_RATE_PER_SECOND=${r.jitRatePerSecond}, RECONCILE_INTERVAL_SECONDS=3600.`,
    "- Client: each connection sends its next request as soon as the previous one is answered; bodies, signatures and connections prepared before the burst (as a reverse proxy keeps its upstream connections open). Fake GitHub, fake Modal and the client share this process and the machine's cores with the server; the server's `modal` SDK reaches the fake Modal over a loopback gRPC bridge (@grpc/grpc-js over HTTP/2, one connection, as the SDK reaches Modal).",
    `- Floors, in their own process with the same flags: bench/empty-server.ts (a Node HTTP server answering 200 at once) and bench/probot-empty-server.ts (the same Probot Server, logger and Octokit, verifying every signature, an empty \`workflow_job\` handler). The dispatch floor is that Probot app sending one unary gRPC call from its handler for one webhook in ${DISPATCH_EVERY} (bench/dispatch-receiver.ts stamps its arrival).`,
    widest
      ? `- Ideal launch throughput = MAX_CONCURRENT_LAUNCHES / (GitHub + Modal latency) = ${idealPerSecond(widest).toFixed(1)} launches/s.`
      : '',
    '',
    '## Floors side by side (medians of the repeats)',
    '',
    floorTable(r),
    '',
    'With every connection sending its next request as soon as it has an answer, a webhook waits for those ahead of it on the one event loop, so the answer time grows with the connections in flight whatever the server does; the time per webhook (first request sent → last answer ÷ webhooks) is what the server spends on each, the launches that run during the burst included.',
    '',
    ...durabilitySection(r),
    ...exitWatchSection(r),
    '## Runs',
    '',
    markdownTable(RUN_HEADER, runs),
    '',
    ...planSection(r),
    ...postgresSection(r),
    ...defaultJitRateSection(r),
    '## How it is measured',
    '',
    '- **Answer time:** per webhook, from handing the request to its keep-alive socket to the last byte of the response, in the client. **Time per webhook:** first request sent → last answer, divided by the webhooks, for this server and the floors alike.',
    '- **Warm-up:** before each run one job is sent and its sandbox awaited (installation token, Modal App and image looked up once). It is not counted.',
    "- **Dispatch overhead:** per launch, webhook recorded (the ledger's `createdAt`) or, when all launch slots were busy, the slot freed (the (k−C)-th launch's completion, C = MAX_CONCURRENT_LAUNCHES), whichever is later → the fake Modal received the create request, minus the GitHub latency when the create request followed the minted JIT config. Split into the server's part (until it handed the request to its gRPC client) and the gRPC transit. The floor is handler started → the empty Probot app's gRPC call received.",
    '- **Launch throughput:** launches completed per second between the 10th and 90th percentile completion; ideal = MAX_CONCURRENT_LAUNCHES / (GitHub + Modal latency). A launch that creates while it mints holds its slot for max(GitHub, Modal), so it can exceed that ideal.',
    "- **Peak RSS:** the server process's VmHWM from /proc once every expected sandbox exists (with the whole burst in the ledger); the target takes the highest of a repeat's runs. **CPU ms/job:** the server's user + system time from the burst's start until every expected sandbox exists, per webhook.",
    '- **Convergence:** every webhook answered 200, every job that fits under MAX_RUNNERS got a sandbox, and the ledger holds every job; otherwise the bench fails.',
    '',
  ].join('\n');
}
