import { burstAt, ms, targetRows, type RepeatResult } from './bench-targets.js';
import { median } from './median.js';

/** The previous report's plan() on a quieter machine (BENCHMARKS.md of 2026-12-01T04:35Z). */
const QUIET_PLAN = 'p50 3.0 / p99 5.2 ms';

const med = (repeats: readonly RepeatResult[], pick: (x: RepeatResult) => number | undefined) =>
  median(repeats.map((x) => pick(x) ?? NaN));

/** One webhook at a time once the launches were done, when the run had such webhooks. */
function afterLaunches(
  repeats: readonly RepeatResult[],
  at: (c: number, pick: (b: NonNullable<ReturnType<typeof burstAt>>) => number) => string,
): string {
  const n = med(repeats, (x) => burstAt(x, 1)?.answerAfterLaunches.n);
  if (!(n > 0)) {
    return ' One webhook at a time, every webhook of the burst was answered while launches ran, so this run cannot show the answer time without them.';
  }
  return ` One webhook at a time, once the launches were done, the server answered in p50 ${at(1, (b) => b.answerAfterLaunches.p50)} ms, its sync included.`;
}

/** plan() over its limit: waiting for a core on a loaded machine, else its own cost. */
function planLine(repeats: readonly RepeatResult[], highLoad: number): string[] {
  const p50 = med(repeats, (x) => x.plan.plan.p50);
  const p99 = med(repeats, (x) => x.plan.plan.p99);
  if (p99 <= 10) return [];
  if (highLoad >= 2) {
    return [
      `- **CPU starvation, seen in a pure function.** plan() (no I/O, no allocation beyond its result) took p50 ${ms(p50)} / p99 ${ms(p99)} ms in this run, against ${QUIET_PLAN} in an earlier report on a quieter machine: its p99 is time spent waiting for a core, and so is much of every p99 above.`,
    ];
  }
  return [
    `- **plan() itself.** On a quiet machine plan() took p50 ${ms(p50)} / p99 ${ms(p99)} ms, against ${QUIET_PLAN} in an earlier report: not the load. Its cost is linear in the queued jobs (a wait reason is recorded for each of the 10,000), and the p99 includes the collections its allocations trigger.`,
  ];
}

/** What the machine's load means for the ratios, from the load averages the run recorded. */
function loadLine(low: number, high: number): string {
  const range = `The 1-minute load average was ${low.toFixed(1)} to ${high.toFixed(1)} during the run, on 2 cores`;
  if (high < 2) {
    return `- **The machine was quiet.** ${range}: the server, the fakes, the client and the floors had the cores to themselves, so the misses are not the load's doing.`;
  }
  return `- **The machine was loaded.** ${range}: other processes shared them with the server, the fakes, the client and the floors. The floors ran on the same machine right after each burst, so the ratios compare like with like as far as one can here, but a server doing more work per webhook (and running launches meanwhile) loses more to a starved CPU than an empty one.`;
}

/**
 * "What stands in the way": each missed target with its margin, then what the same run shows
 * about the causes (the machine's load, a pure function's jitter, where the dispatch time goes,
 * the syncs and the launches).
 */
export function missesSection(repeats: readonly RepeatResult[]): string[] {
  const misses = targetRows(repeats).filter((t) => t.pass === false);
  if (misses.length === 0) return [];
  const loads = repeats.flatMap((x) => x.loadAverage);
  const widest = Math.max(...repeats.flatMap((x) => x.bursts.map((b) => b.options.concurrency)));
  const at = (c: number, pick: (b: NonNullable<ReturnType<typeof burstAt>>) => number) =>
    ms(
      med(repeats, (x) => {
        const b = burstAt(x, c);
        return b && pick(b);
      }),
    );
  const sync = (pick: (b: NonNullable<ReturnType<typeof burstAt>>) => number) =>
    ms(median(repeats.flatMap((x) => x.bursts.map(pick))));
  return [
    '## Missed targets and what stands in the way',
    '',
    ...misses.map((t) => `- **${t.name}:** ${t.measured} against ${t.floor}: ${t.ratio}.`),
    '',
    `What the same run shows:`,
    '',
    loadLine(Math.min(...loads), Math.max(...loads)),
    ...planLine(repeats, Math.max(...loads)),
    `- **Where the dispatch time goes** (${widest} connections, p99, median of the repeats): the server's part, until it hands the create request to its gRPC client, ${at(widest, (b) => b.launch.createOverheadServer.p99)} ms; the gRPC transit, handed over → received by the fake Modal, ${at(widest, (b) => b.launch.createTransit.p99)} ms. The transit is the request's HTTP/2 frames waiting for the event loop behind the webhooks already due, the same wait the dispatch floor measures in the empty Probot app (whose handler does nothing else).`,
    `- **The launches run during the bursts.** A burst's first ${repeats[0]?.bursts[0]?.options.maxRunners.toLocaleString('en-US') ?? ''} webhooks each start a launch (JIT minting through Octokit, the SDK's create, the stdin write, the runner writes, planning) on the same event loop; the empty Probot app does none of that. See the one-at-a-time split under *Durability* for the answer times while they run and after.`,
    `- **Syncs.** Each webhook waits for its job's WAL fdatasync before its connection can send the next. The probe beside the bursts (under *Durability*) saw syncs of p50 ${sync((b) => b.fdatasyncDuringBurst.p50)} ms beside this server's bursts; but the probe appends to its file, so each of its syncs also commits the file's new size, while SQLite rewrites its WAL in place once it has grown, so the server's syncs can cost less than the probe's.${afterLaunches(repeats, at)}`,
    `- **Not separated by this run:** how the rest of the gap at 8 and 32 connections splits between the launches and the per-webhook path on a starved CPU. A CPU profile of the server (\`BENCH_CPU_PROF_DIR=dir npm run bench\`) on a quiet machine would; none was taken in this run.`,
    '',
  ];
}
