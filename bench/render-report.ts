import { DISPATCH_EVERY } from './dispatch-receiver.js';
import type { FloorResult } from './measure-floor.js';
import type { PlanMicroResult } from './plan-micro.js';
import type { BurstRunResult } from './run-burst.js';
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
  readonly concurrency: number;
  readonly burstSize: number;
  readonly scaling: readonly BurstRunResult[];
  /** The default launch at `burstSize` (one of `scaling` when the sizes include it). */
  readonly burst: BurstRunResult;
  /** The same burst with the ledger on PostgreSQL instead of SQLite. */
  readonly postgres: BurstRunResult | undefined;
  readonly naive: BurstRunResult | undefined;
  readonly defaultJitRate: BurstRunResult | undefined;
  /** The burst again with fewer connections in flight (answer time follows the in-flight count). */
  readonly fewerConnections: BurstRunResult | undefined;
  /** The 10,000-job burst with V8's default heap sizing (no SERVER_NODE_FLAGS). */
  readonly defaultHeap: BurstRunResult | undefined;
  /** Answer times of an empty Node server and an empty Probot app under the same burst. */
  readonly floor: readonly FloorResult[];
  /** The Node flags the server ran with (production's). */
  readonly nodeFlags: readonly string[];
  readonly plan: PlanMicroResult;
  readonly durationSeconds: number;
}

const ms = (v: number) => (Number.isFinite(v) ? (v >= 100 ? v.toFixed(0) : v.toFixed(1)) : 'n/a');
const pair = (s: Summary) => `${ms(s.p50)} / ${ms(s.p99)}`;
const triple = (s: Summary) => `${ms(s.p50)} / ${ms(s.p99)} / ${ms(s.max)}`;

export function idealPerSecond(r: BurstRunResult): number {
  const o = r.options;
  return (o.maxConcurrentLaunches * 1000) / (o.githubLatencyMs + o.modalLatencyMs);
}

function runRow(r: BurstRunResult): string[] {
  const ideal = idealPerSecond(r);
  const naive = r.options.server === 'naive';
  return [
    r.options.label,
    String(r.options.jobs),
    triple(r.answer),
    naive ? '—' : pair(r.launch.createOverhead),
    naive ? '—' : pair(r.launch.configOverhead),
    naive ? '—' : pair(r.launch.createOverheadQueued),
    naive
      ? `${r.launch.throughputPerSecond.toFixed(1)}`
      : `${r.launch.throughputPerSecond.toFixed(1)} (${(r.launch.throughputPerSecond / ideal).toFixed(2)})`,
    `${r.startRssMb.toFixed(0)} / ${r.peakRssMb.toFixed(0)} / ${r.rssMb.toFixed(0)}`,
    r.heapUsedMb === undefined
      ? '—'
      : `${r.heapUsedMb.toFixed(0)} / ${(r.externalMb ?? NaN).toFixed(0)}`,
    r.cpuMsPerJob.toFixed(2),
    (r.burstMs / 1000).toFixed(2),
    (r.convergedMs / 1000).toFixed(1),
    naive ? '—' : `${r.launch.sequential}/${r.launch.concurrent}`,
  ];
}

const RUN_HEADER = [
  'run',
  'jobs',
  'answer ms p50 / p99 / max',
  'create overhead ms p50 / p99',
  'config overhead ms p50 / p99',
  'create after webhook, queueing incl., ms p50 / p99',
  'launches/s (÷ ideal)',
  'RSS MB start / peak / end',
  'heap / external MB at end',
  'CPU ms/job',
  'burst s',
  'all launched s',
  'seq/conc launches',
];

function markdownTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const line = (cells: readonly string[]) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

function textTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ');
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

interface Target {
  readonly name: string;
  readonly measured: string;
  readonly pass: boolean | undefined;
}

function targets(r: BenchReport): Target[] {
  const burst = r.burst;
  const ten = r.scaling.find((s) => s.options.jobs === 10_000);
  const ideal = idealPerSecond(burst);
  const out: Target[] = [
    {
      name: `webhook answer p99 < 25 ms (${burst.options.jobs}-job burst, ${burst.options.concurrency} connections)`,
      measured: `${ms(burst.answer.p99)} ms (floors: ${floorOf(r, burst.options.concurrency)})`,
      pass: burst.options.jobs === 1_000 ? burst.answer.p99 < 25 : undefined,
    },
    ...(r.fewerConnections
      ? [
          {
            name: `the same at ${r.fewerConnections.options.concurrency} connections (not the target's setting; shown for scale)`,
            measured: `${ms(r.fewerConnections.answer.p99)} ms (floors: ${floorOf(r, r.fewerConnections.options.concurrency)})`,
            pass: undefined,
          },
        ]
      : []),
    {
      name: 'dispatch overhead p99 < 5 ms (webhook received → sandbox-create request received, from a free slot)',
      measured: `${ms(burst.launch.createOverhead.p99)} ms (server's part ${ms(burst.launch.createOverheadServer.p99)}, gRPC transit ${ms(burst.launch.createTransit.p99)}; floor: ${dispatchFloorOf(r, burst.options.concurrency)})`,
      pass: burst.launch.createOverhead.p99 < 5,
    },
    {
      name: `launch throughput ≥ 0.9 × ideal (${ideal.toFixed(1)}/s)`,
      measured: `${burst.launch.throughputPerSecond.toFixed(1)}/s = ${(burst.launch.throughputPerSecond / ideal).toFixed(3)} × ideal`,
      pass: burst.launch.throughputPerSecond >= 0.9 * ideal,
    },
    {
      name: `plan() < 10 ms at ${r.plan.jobs.toLocaleString('en-US')} queued jobs, ${r.plan.runners.toLocaleString('en-US')} runners (p50)`,
      measured: `p50 ${ms(r.plan.plan.p50)} ms, p99 ${ms(r.plan.plan.p99)} ms`,
      pass: r.plan.jobs === 10_000 ? r.plan.plan.p50 < 10 : undefined,
    },
    {
      name: 'peak RSS < 200 MB with 10,000 jobs in the ledger',
      measured: ten ? `${ten.peakRssMb.toFixed(0)} MB` : 'not run (--quick or --jobs)',
      pass: ten ? ten.peakRssMb < 200 : undefined,
    },
  ];
  return out;
}

/** The floors' p99 at this concurrency: "empty Node server p99 …, empty Probot app p99 …". */
function floorOf(r: BenchReport, concurrency: number): string {
  const parts = FLOOR_SERVERS.map(({ server, name }) => {
    const floor = r.floor.find((f) => f.server === server && f.concurrency === concurrency);
    return floor ? `${name} p99 ${ms(floor.answer.p99)} ms` : undefined;
  }).filter((part) => part !== undefined);
  return parts.length > 0 ? parts.join(', ') : 'not measured';
}

/** The dispatch floor's p99 at this concurrency, or "not measured". */
function dispatchFloorOf(r: BenchReport, concurrency: number): string {
  const floor = dispatchFloor(r, concurrency);
  return floor
    ? `a gRPC call from an empty Probot app's handler p99 ${ms(floor.p99)} ms`
    : 'not measured';
}

function dispatchFloor(r: BenchReport, concurrency: number): Summary | undefined {
  return r.floor.find((f) => f.server === 'probot-dispatch' && f.concurrency === concurrency)
    ?.dispatch;
}

/** The connection counts the floors were measured at. */
function floorConcurrencies(r: BenchReport): number[] {
  return [...new Set(r.floor.map((f) => f.concurrency))];
}

/** This server's 1000-job burst at this many connections, if one ran. */
function burstAt(r: BenchReport, concurrency: number): BurstRunResult | undefined {
  return [r.burst, r.fewerConnections].find((x) => x?.options.concurrency === concurrency);
}

const FLOOR_SERVERS = [
  { server: 'node', name: 'empty Node server' },
  { server: 'probot', name: 'empty Probot app' },
] as const;

const verdict = (t: Target) => (t.pass === undefined ? 'not judged' : t.pass ? 'PASS' : 'MISS');

/** Every burst run of the report, in table order. */
function allRuns(r: BenchReport): BurstRunResult[] {
  return [
    ...r.scaling,
    ...[r.postgres, r.naive, r.defaultJitRate, r.fewerConnections, r.defaultHeap].filter(
      (x) => x !== undefined,
    ),
  ];
}

/** One line: PostgreSQL against SQLite, answer time and throughput. */
function ledgerComparison(sqlite: BurstRunResult, pg: BurstRunResult): string {
  return `PostgreSQL / SQLite ledger at ${pg.options.jobs} jobs: answer p50 ${ms(pg.answer.p50)} vs ${ms(sqlite.answer.p50)} ms, p99 ${ms(pg.answer.p99)} vs ${ms(sqlite.answer.p99)} ms; webhooks/s ${((pg.options.jobs * 1000) / pg.burstMs).toFixed(0)} vs ${((sqlite.options.jobs * 1000) / sqlite.burstMs).toFixed(0)}; launches/s ${pg.launch.throughputPerSecond.toFixed(1)} vs ${sqlite.launch.throughputPerSecond.toFixed(1)}`;
}

/** The terminal table. */
export function renderText(r: BenchReport): string {
  const rows = allRuns(r).map(runRow);
  const lines = [
    textTable(RUN_HEADER, rows),
    '',
    `plan(): ${r.plan.jobs} queued jobs, ${r.plan.runners} runners, ${r.plan.runs} runs: p50 ${ms(r.plan.plan.p50)} ms, p99 ${ms(r.plan.plan.p99)} ms, max ${ms(r.plan.plan.max)} ms; reading its inputs from SQLite: p50 ${ms(r.plan.ledgerRead.p50)} ms, p99 ${ms(r.plan.ledgerRead.p99)} ms`,
  ];
  if (r.postgres) lines.push(ledgerComparison(r.burst, r.postgres));
  if (r.naive) {
    lines.push(
      `naive / ours, answer time at ${r.naive.options.jobs} jobs: p50 ${(r.naive.answer.p50 / r.burst.answer.p50).toFixed(1)}×, p99 ${(r.naive.answer.p99 / r.burst.answer.p99).toFixed(1)}×`,
    );
  }
  lines.push('', ...targets(r).map((t) => `${verdict(t).padEnd(10)} ${t.name}: ${t.measured}`));
  return lines.join('\n');
}

/** BENCHMARKS.md, whole. */
export function renderMarkdown(r: BenchReport): string {
  const rows = allRuns(r).map(runRow);
  const ideal = idealPerSecond(r.burst);
  const naive = r.naive;
  const sections = [
    '# Benchmarks',
    '',
    'Generated by `npm run bench` (scripts/bench.ts); every figure below comes from the run it',
    'describes. Rerun it to regenerate this file.',
    '',
    `- **Date:** ${r.date}`,
    `- **Machine:** ${r.machine}`,
    `- **Command:** \`${r.command}\``,
    `- **Duration of the run:** ${r.durationSeconds.toFixed(0)} s`,
    '',
    '## Parameters',
    '',
    `- Simulated API latency: GitHub ${r.githubLatencyMs} ms per request, Modal sandbox create ${r.modalLatencyMs} ms (other Modal RPCs 0 ms; Modal holds a SandboxWait long-poll for the 10 s the SDK asks).`,
    `- Server: the real server (sim/sim-server-main.ts, compiled by tsconfig.bench.json and run with plain \`node ${r.nodeFlags.join(' ')}\`, production's flags) in its own process, SQLite ledger in a fresh temporary DATA_DIR (PostgreSQL in the \`postgres-N\` run), LOG_LEVEL=info (JSON lines to a file, as a log collector drains them), MAX_CONCURRENT_LAUNCHES=${r.maxConcurrentLaunches}, MAX_RUNNERS=${r.maxRunners} (+1 for the warm-up job), JIT_RATE_PER_SECOND=${r.jitRatePerSecond} so that the JIT limiter does not bound the launch rate (except in the "default JIT rate" run), RECONCILE_INTERVAL_SECONDS=3600 (the reconciler runs once at start-up, not during the burst).`,
    `- Client: signed \`workflow_job.queued\` webhooks over real HTTP, ${r.concurrency} keep-alive connections, each sending its next request as soon as the previous one is answered; bodies, signatures and connections prepared before the burst (as a reverse proxy keeps its upstream connections open; on fresh connections the first wave of a burst waited up to ~0.8 s for connection setup on this busy 2-core machine). Jobs spread over 5 repositories.`,
    `- Ideal launch throughput = MAX_CONCURRENT_LAUNCHES / (GitHub latency + Modal latency) = ${r.maxConcurrentLaunches} / ${(r.githubLatencyMs + r.modalLatencyMs) / 1000} s = ${ideal.toFixed(1)} launches/s.`,
    "- Fake GitHub, fake Modal and the webhook client share this process and the same cores as the server; no fake runners run (sandboxes are created and stay up, jobs stay queued). The server's `modal` SDK reaches the fake Modal through a loopback gRPC bridge (@grpc/grpc-js over HTTP/2, one connection, as the SDK reaches Modal; the messages are V8-serialized rather than protobuf) and each sandbox's stdin through the fake task command router (real gRPC).",
    '',
    '## Targets',
    '',
    markdownTable(
      ['target', 'measured', 'verdict'],
      targets(r).map((t) => [t.name, t.measured, verdict(t)]),
    ),
    '',
    '## Runs',
    '',
    markdownTable(RUN_HEADER, rows),
    '',
    'Runs: `scale-N` are the default launch at N jobs (the growth from 100 to 10,000);',
    '`naive` is bench/naive-server.ts, which mints and creates before answering;',
    '`postgres-N` is the default burst with the ledger on PostgreSQL (below);',
    '`default-jit-rate` leaves JIT_RATE_PER_SECOND at its default (10/s) to show the limiter;',
    `\`connections-N\` is the default burst with N connections instead of ${r.concurrency}: the server answers one webhook at a time, so the answer time grows with the number of webhooks in flight while the rate stays the same.`,
    "`default-heap-10000` is `scale-10000` with V8's default heap sizing (without the flags above), to show what the flags trade.",
    `At N jobs, min(N, ${r.maxRunners}) sandboxes are launched; the others wait for the MAX_RUNNERS cap (queued in the ledger).`,
    'The last column counts launches whose create request came after (sequential) or before (concurrent) their JIT config was minted, as the fakes saw them.',
    '',
  ];
  if (r.postgres) {
    const pg = r.postgres;
    sections.push(
      '## Ledger: SQLite and PostgreSQL',
      '',
      `The same ${pg.options.jobs}-job burst against the same server with \`DATABASE_URL\` set: the ledger in PostgreSQL (the machine's local server, over TCP on loopback; a schema of its own), as several replicas run it, one replica here (it leads, so it also plans and launches). Recording a queued job is one round trip (an insert; an event of a job already known is a read and a compare-and-set), every plan reads the queue and the live runners from the database (SQLite keeps them in memory), and the leader's runner writes join the lease row.`,
      '',
      markdownTable(
        [
          'ledger',
          'answer ms p50 / p99 / max',
          'burst s (webhooks/s)',
          'launches/s (÷ ideal)',
          'create overhead ms p50 / p99',
          'CPU ms/job (server)',
          'all launched s',
        ],
        [r.burst, pg].map((x) => [
          x.options.databaseUrl === undefined ? 'SQLite' : 'PostgreSQL',
          triple(x.answer),
          `${(x.burstMs / 1000).toFixed(2)} (${((x.options.jobs * 1000) / x.burstMs).toFixed(0)})`,
          `${x.launch.throughputPerSecond.toFixed(1)} (${(x.launch.throughputPerSecond / idealPerSecond(x)).toFixed(2)})`,
          pair(x.launch.createOverhead),
          x.cpuMsPerJob.toFixed(2),
          (x.convergedMs / 1000).toFixed(1),
        ]),
      ),
      '',
      `${ledgerComparison(r.burst, pg)}. The database server's own CPU is not in the server's CPU column; it shares the machine's cores.`,
      '',
    );
  }
  if (naive) {
    sections.push(
      '## Naive baseline',
      '',
      `Same ${naive.options.jobs}-job burst, same latencies and connections, against a server that calls GitHub and Modal before answering: answer time p50 ${ms(naive.answer.p50)} ms vs ${ms(r.burst.answer.p50)} ms (${(naive.answer.p50 / r.burst.answer.p50).toFixed(1)}×), p99 ${ms(naive.answer.p99)} ms vs ${ms(r.burst.answer.p99)} ms (${(naive.answer.p99 / r.burst.answer.p99).toFixed(1)}×).`,
      '',
    );
  }
  if (r.floor.length > 0) {
    sections.push(
      '## The floors: an empty Node server, an empty Probot app, and a gRPC call from its handler',
      '',
      `The same ${r.burstSize} webhooks, same client, against two servers in their own process with production's Node flags: bench/empty-server.ts, a Node HTTP server that reads each request and answers 200 with no work at all, and bench/probot-empty-server.ts, the same Probot Server, logger and Octokit as this server, verifying every signature, with a \`workflow_job\` handler that does nothing. With every connection sending its next request as soon as it has an answer, a webhook waits for the ones ahead of it on the server's one event loop, so the answer time grows with the connections in flight whatever the server does: the mean answer time is about the connections times the server's time per webhook (Little's law; that time is the burst's duration divided by its webhooks, shown after each triple). A p99 under 25 ms at 32 connections therefore needs a server that spends well under 0.8 ms per webhook, the launches that run during the burst included. The Probot app is the floor for any Probot app on this machine; the gap between it and this server is this server's own work (parsing and classifying the job, the ledger write, its log line, planning and the launches that run during the burst):`,
      '',
      markdownTable(
        [
          'connections',
          'empty Node server, answer ms p50 / p99 / max (ms per webhook)',
          'empty Probot app, answer ms p50 / p99 / max (ms per webhook)',
          'this server, answer ms p50 / p99 / max (ms per webhook)',
        ],
        floorConcurrencies(r).map((concurrency) => {
          const cell = (server: 'node' | 'probot') => {
            const floor = r.floor.find((f) => f.server === server && f.concurrency === concurrency);
            return floor ? `${triple(floor.answer)} (${floor.msPerWebhook.toFixed(2)})` : 'not run';
          };
          const ours = burstAt(r, concurrency);
          return [
            String(concurrency),
            cell('node'),
            cell('probot'),
            ours
              ? `${triple(ours.answer)} (${(ours.burstMs / ours.options.jobs).toFixed(2)})`
              : 'not run',
          ];
        }),
      ),
      '',
    );
    const dispatchRows = floorConcurrencies(r).flatMap((concurrency) => {
      const floor = dispatchFloor(r, concurrency);
      const ours = burstAt(r, concurrency);
      return floor
        ? [
            [
              String(concurrency),
              triple(floor),
              ours
                ? `${pair(ours.launch.createOverhead)} (transit ${pair(ours.launch.createTransit)})`
                : 'not run',
            ],
          ]
        : [];
    });
    if (dispatchRows.length > 0) {
      sections.push(
        `The floor of the dispatch overhead: the same empty Probot app, but for one webhook in ${DISPATCH_EVERY} (about the share of this server's webhooks that start a launch during the burst) its handler sends a unary gRPC call (@grpc/grpc-js over one loopback HTTP/2 connection, connected before the burst, as this server reaches the fake Modal) and answers without waiting for it; bench/dispatch-receiver.ts, in the bench's process, stamps each call's arrival. The delay is handler started → call received: what a request made in a Probot app's handler takes to leave the process and arrive while the burst is being answered, before any work of this server's.`,
        '',
        markdownTable(
          [
            'connections',
            "gRPC call from an empty Probot app's handler, ms p50 / p99 / max",
            'this server, create overhead ms p50 / p99',
          ],
          dispatchRows,
        ),
        '',
      );
    }
  }
  const detail = (x: BurstRunResult) => [
    x.options.label,
    pair(x.launch.createOverheadServer),
    pair(x.launch.createTransit),
    pair(x.launch.createOverheadFirst),
    pair(x.launch.configOverheadFirst),
    pair(x.launch.createLatency),
    pair(x.launch.configLatency),
    pair(x.launch.toMint),
    pair(x.launch.mintToCreate),
  ];
  sections.push(
    '## Dispatch overhead in detail',
    '',
    markdownTable(
      [
        'run',
        "create overhead, server's part (until handed to its gRPC client), ms p50 / p99",
        'gRPC transit of the create request, ms p50 / p99',
        `create overhead, first ${r.maxConcurrentLaunches} launches, ms p50 / p99`,
        `config overhead, first ${r.maxConcurrentLaunches} launches, ms p50 / p99`,
        'webhook → create request, raw, from a free slot, ms p50 / p99',
        'webhook → has its config, raw, from a free slot, ms p50 / p99',
        'free slot → generate-jitconfig received, ms p50 / p99',
        'JIT config answered → create request (sequential launches), ms p50 / p99',
      ],
      r.scaling.map(detail),
    ),
    '',
    "The create overhead splits into the server's part (until it handed the create request to its gRPC client) and the transit (handed over → received by the fake Modal). Node's HTTP/2, under gRPC, writes a request's frames when the event loop next gets to it, after the I/O callbacks already due, so the transit grows with whatever else the server is doing; production's SDK talks to Modal the same way. The first launches of a burst need no slot, so their overhead is webhook received → event minus latency; they start while the rest of the burst is still being answered. In the `default-jit-rate` run the overhead columns include the wait for the JIT rate limiter (10/s), which the slot correction does not remove.",
    '',
  );
  sections.push(
    '## plan()',
    '',
    `The pure \`plan()\` (src/controller/plan.ts) in-process on ${r.plan.jobs.toLocaleString('en-US')} queued jobs over 50 repositories and ${r.plan.runners.toLocaleString('en-US')} live runners at the MAX_RUNNERS cap (launching, booting, idle, busy), after 20 warm-up calls, ${r.plan.runs} runs: p50 ${ms(r.plan.plan.p50)} ms, p99 ${ms(r.plan.plan.p99)} ms, max ${ms(r.plan.plan.max)} ms (${r.plan.launches} launches, ${r.plan.waiting} jobs waiting).`,
    `Reading those inputs from the SQLite ledger as the controller does before each plan (\`listJobs(['queued'])\` and \`listRunners(live)\`), ${r.plan.ledgerRead.n} runs: p50 ${ms(r.plan.ledgerRead.p50)} ms, p99 ${ms(r.plan.ledgerRead.p99)} ms.`,
    '',
    '## How it is measured',
    '',
    '- **Answer time:** per webhook, from handing the request to its keep-alive socket to the last byte of the response, in the client.',
    '- **Warm-up:** before each burst one job is sent and its sandbox awaited, so the installation token, the Modal App and the image are already looked up (as in a server that has been running). It is not counted.',
    '- **Events per job** are joined through the sandbox tags (`job-id`, `runner-name`) and the runner name in the generate-jitconfig body: *create request* is when the fake Modal received SandboxCreateV2 (before its latency); *JIT answered* is when the fake GitHub answered generate-jitconfig (after its latency); *has its config* is when the sandbox was created with the JIT config in its environment, or, when the config is delivered after creation, when the fake Modal recorded the delivery (n/a if it records none).',
    '- **Launch start** is the earlier of "fake GitHub received generate-jitconfig" and "fake Modal received the create request". Launches are ordered by start; a launch *completes* when its sandbox is created and has its config.',
    `- **Free slot:** with C = MAX_CONCURRENT_LAUNCHES, the k-th launch to start could start no earlier than the (k−C)-th completion (none for k < C). available(k) = max(webhook received, that completion). *Received* is when the server recorded the job (its ledger's \`createdAt\`, read after the run; whole milliseconds, so it can be up to 1 ms early, which counts against the server).`,
    '- **Dispatch overhead** = event time − available(k) − the API latency on the path to the event. To the create request that is the GitHub latency when the create request followed the minted JIT config (sequential), 0 when it did not (created while minting). To "has its config" it is GitHub + Modal latency (sequential) or max(GitHub, Modal) (concurrent). So it is the server\'s own time: planning, ledger writes, the launch-slot hand-off, request building, and the loopback gRPC transit (the bridge stamps when the server handed each call to its gRPC client, which splits the two). Columns: *create overhead*, *config overhead* (from a free slot); *queueing incl.* is the create-request time minus the webhook send time minus the same latency, without the slot correction. Negative values mean an event came before the slot computed for it (completion order differs slightly from start order).',
    '- **Launch throughput:** launches completed per second between the 10th and the 90th percentile completion (steady state); ideal = MAX_CONCURRENT_LAUNCHES / (GitHub + Modal latency). A launch that creates while it mints holds its slot for max(GitHub, Modal), so it can exceed that ideal.',
    "- **Peak RSS** is the server process's VmHWM from /proc at the end of the run; *start* is its VmRSS after start-up and the warm-up job, *end* its VmRSS once every expected sandbox exists. The server runs compiled JavaScript with plain node and production's flags, as the Dockerfile runs it. *heap / external* is the server's `process.memoryUsage()` (heapUsed, external) at the end, over IPC. **CPU ms/job** is its user + system time from the start of the burst until every expected sandbox exists, divided by the burst size.",
    '- **Convergence:** every webhook answered 200, every job that fits under MAX_RUNNERS got a sandbox, and the ledger holds every job; otherwise the bench fails.',
    '',
  );
  return sections.join('\n');
}
