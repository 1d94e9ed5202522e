/**
 * `npm run bench`: issue #14's targets, measured side by side in one run. Per repeat: the real
 * server as a subprocess against the simulator (fake GitHub, fake Modal behind the real `modal`
 * SDK, with API latency) hit by a burst of signed `workflow_job.queued` webhooks at each
 * connection count; the floors (an empty Node server, an empty Probot app, the same app sending
 * one gRPC call from its handler) under the same bursts; the pure plan(); what one fdatasync
 * costs here; and exit watching with 1,000 idle-then-busy runners. Every target is judged on
 * the median of the repeats. Prints the targets and rewrites BENCHMARKS.md.
 *
 *   npm run bench                          # 3 repeats (about 30 minutes here)
 *   npm run bench -- --repeat 1            # one repeat
 *   npm run bench -- --quick               # 1 repeat of 1,000 webhooks, 200 runners: a smoke test
 *   npm run bench -- --no-postgres         # without the widest burst on PostgreSQL (run once)
 *   npm run bench -- --no-default-jit-rate # without the burst at the default JIT_RATE_PER_SECOND
 *
 * Exits non-zero when a run does not converge (a webhook not answered 200, a job without its
 * sandbox), never for a missed target (printed as MISS).
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, release, totalmem, type } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { format, resolveConfig } from 'prettier';
import type { RepeatResult } from '../bench/bench-targets.js';
import type { StackOptions } from '../bench/bench-stack.js';
import { measureFdatasync } from '../bench/measure-fdatasync.js';
import { measureFloor, type FloorResult } from '../bench/measure-floor.js';
import { planMicro } from '../bench/plan-micro.js';
import { renderMarkdown, renderText, type BenchReport } from '../bench/render-report.js';
import { runBurst, type BurstRunOptions, type BurstRunResult } from '../bench/run-burst.js';
import { runExitWatch } from '../bench/run-exit-watch.js';
import { SERVER_NODE_FLAGS } from '../bench/server-process.js';
import { testPrivateKey } from '../sim/harness.js';
import { TEST_DATABASE_URL } from '../sim/test-database.js';

const { values } = parseArgs({
  options: {
    repeat: { type: 'string', default: '3' },
    quick: { type: 'boolean', default: false },
    jobs: { type: 'string' },
    connections: { type: 'string', default: '32,8,1' },
    'github-latency': { type: 'string', default: '100' },
    'modal-latency': { type: 'string', default: '400' },
    'max-concurrent-launches': { type: 'string', default: '16' },
    'max-runners': { type: 'string', default: '1000' },
    'jit-rate': { type: 'string', default: '100' },
    'plan-runs': { type: 'string', default: '200' },
    'exit-runners': { type: 'string' },
    'exit-count': { type: 'string', default: '100' },
    'no-exit-watch': { type: 'boolean', default: false },
    'no-postgres': { type: 'boolean', default: false },
    'no-default-jit-rate': { type: 'boolean', default: false },
    'jit-rate-jobs': { type: 'string', default: '200' },
    'database-url': { type: 'string', default: TEST_DATABASE_URL },
    out: { type: 'string', default: 'BENCHMARKS.md' },
    render: { type: 'string' },
  },
});
const out = values.out ?? 'BENCHMARKS.md';

/** BENCHMARKS.md, formatted like every other file (so that `npm run lint` accepts it). */
async function writeMarkdown(report: BenchReport): Promise<void> {
  const prettierOptions = (await resolveConfig(out)) ?? {};
  writeFileSync(out, await format(renderMarkdown(report), { ...prettierOptions, filepath: out }));
}

// `--render FILE`: the report again from the figures a run saved, without running anything.
if (values.render !== undefined) {
  const saved = JSON.parse(readFileSync(values.render, 'utf8'), (_key, value: unknown) =>
    value === null ? NaN : value,
  ) as BenchReport;
  await writeMarkdown(saved);
  console.log(`${renderText(saved)}\n\nwrote ${out}`);
  process.exit(0);
}

function positive(name: string, text: string | undefined): number {
  const n = Number(text);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`--${name} must be a positive number`);
  return n;
}

const quick = values.quick;
const repeats = quick ? 1 : positive('repeat', values.repeat);
const jobs = positive('jobs', values.jobs ?? (quick ? '1000' : '10000'));
const connections = (values.connections ?? '32,8,1')
  .split(',')
  .map((s) => positive('connections', s.trim()))
  .sort((a, b) => b - a);
const exitRunners = positive('exit-runners', values['exit-runners'] ?? (quick ? '200' : '1000'));
const exitCount = Math.min(positive('exit-count', values['exit-count']), exitRunners);
const planRuns = positive('plan-runs', values['plan-runs']);
const started = Date.now();
// The servers run compiled, with plain node, as production runs `node dist/main.js`.
const buildDir = '.bench-build';
console.log(`compiling the servers (tsconfig.bench.json → ${buildDir}/)`);
rmSync(buildDir, { recursive: true, force: true });
execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.bench.json'], {
  stdio: 'inherit',
});
const base: StackOptions = {
  githubLatencyMs: positive('github-latency', values['github-latency']),
  modalLatencyMs: positive('modal-latency', values['modal-latency']),
  maxConcurrentLaunches: positive('max-concurrent-launches', values['max-concurrent-launches']),
  maxRunners: positive('max-runners', values['max-runners']),
  jitRatePerSecond: positive('jit-rate', values['jit-rate']),
  timings: {},
  privateKey: testPrivateKey(),
  webhookSecret: 'bench-webhook-secret',
  buildDir,
};

async function run(options: BurstRunOptions): Promise<BurstRunResult> {
  const t0 = Date.now();
  process.stdout.write(`  ${options.label}: ${options.jobs} webhooks … `);
  const result = await runBurst(options);
  process.stdout.write(
    `answer p50 ${result.answer.p50.toFixed(2)} / p99 ${result.answer.p99.toFixed(1)} ms, ` +
      `${result.msPerWebhook.toFixed(3)} ms/webhook, ${result.launch.throughputPerSecond.toFixed(1)} launches/s, ` +
      `peak RSS ${result.peakRssMb.toFixed(0)} MB (${((Date.now() - t0) / 1000).toFixed(0)} s)\n`,
  );
  return result;
}

async function repeatOnce(i: number): Promise<RepeatResult> {
  const loadBefore = loadavg()[0] ?? NaN;
  console.log(`repeat ${i + 1}/${repeats} (load average ${loadBefore.toFixed(1)})`);
  const bursts: BurstRunResult[] = [];
  const floor: FloorResult[] = [];
  // Each burst and its floors back to back, so that they see the same load on this machine.
  for (const concurrency of connections) {
    bursts.push(await run({ ...base, label: `c${concurrency}`, jobs, concurrency }));
    console.log(`  floors: ${jobs} webhooks at ${concurrency} connections`);
    const floors = await measureFloor({
      jobs,
      concurrencies: [concurrency],
      buildDir,
      webhookSecret: base.webhookSecret,
      privateKey: base.privateKey,
    });
    for (const f of floors) {
      console.log(
        `    ${f.server}: answer p50 ${f.answer.p50.toFixed(2)} / p99 ${f.answer.p99.toFixed(1)} ms, ${f.msPerWebhook.toFixed(3)} ms/webhook` +
          (f.dispatch ? `, dispatch p99 ${f.dispatch.p99.toFixed(1)} ms` : ''),
      );
    }
    floor.push(...floors);
  }
  console.log(`  plan(): 10,000 queued jobs, 1,000 runners, ${planRuns} runs; fdatasync ×300`);
  const plan = await planMicro(10_000, 1_000, planRuns);
  const fdatasync = await measureFdatasync(300);
  let exitWatch;
  if (!values['no-exit-watch']) {
    console.log(`  exit watching: ${exitRunners} runners, ${exitCount} exits (about 2 minutes)`);
    exitWatch = await runExitWatch({
      ...base,
      runners: exitRunners,
      exits: exitCount,
      idleMs: quick ? 10_000 : 30_000,
      exitSpreadMs: quick ? 20_000 : 40_000,
    });
    console.log(
      `    listing calls/min idle ${exitWatch.idle.listPerMinute.toFixed(0)}, busy ${exitWatch.busy.listPerMinute.toFixed(0)}; exit → reused max ${exitWatch.reused.max.toFixed(0)} ms`,
    );
  }
  return {
    bursts,
    floor,
    plan,
    fdatasync,
    exitWatch,
    loadAverage: [loadBefore, loadavg()[0] ?? NaN],
  };
}

const cpu = cpus();
const args = process.argv.slice(2);

/** Writes the report of the repeats done so far (a run cut short still leaves its figures). */
async function writeReport(
  done: readonly RepeatResult[],
  once: { postgres?: BurstRunResult; defaultJitRate?: BurstRunResult } = {},
): Promise<BenchReport> {
  const report: BenchReport = {
    date: new Date().toISOString(),
    machine: `${cpu.length} × ${cpu[0]?.model ?? 'unknown CPU'}, ${(totalmem() / 2 ** 30).toFixed(1)} GiB RAM, ${type()} ${release()}, Node ${process.version}`,
    command: `npm run bench${args.length > 0 ? ` -- ${args.join(' ')}` : ''}`,
    githubLatencyMs: base.githubLatencyMs,
    modalLatencyMs: base.modalLatencyMs,
    maxConcurrentLaunches: base.maxConcurrentLaunches,
    maxRunners: base.maxRunners,
    jitRatePerSecond: base.jitRatePerSecond ?? NaN,
    jobs,
    repeats: done,
    repeatsAsked: repeats,
    postgres: once.postgres,
    defaultJitRate: once.defaultJitRate,
    nodeFlags: SERVER_NODE_FLAGS,
    durationSeconds: (Date.now() - started) / 1000,
  };
  await writeMarkdown(report);
  // The raw figures, to render the report again without rerunning (not committed).
  writeFileSync(join(buildDir, 'bench-report.json'), JSON.stringify(report, null, 1));
  return report;
}

console.log('modal-github-runner bench');
const results: RepeatResult[] = [];
for (let i = 0; i < repeats; i++) {
  results.push(await repeatOnce(i));
  await writeReport(results);
  console.log(`  wrote ${out} (${results.length} of ${repeats} repeats)`);
}
const widest = connections[0] ?? 32;
// Once, after the repeats: the widest burst with the ledger on PostgreSQL (issue #15), and a
// smaller burst with JIT_RATE_PER_SECOND left at the server's default, to show the limiter.
const postgres = values['no-postgres']
  ? undefined
  : await run({
      ...base,
      label: `postgres-c${widest}`,
      jobs,
      concurrency: widest,
      databaseUrl: values['database-url'],
    });
const defaultJitRate = values['no-default-jit-rate']
  ? undefined
  : await run({
      ...base,
      jitRatePerSecond: undefined,
      label: 'default-jit-rate',
      jobs: positive('jit-rate-jobs', values['jit-rate-jobs']),
      concurrency: widest,
    });
const report = await writeReport(results, {
  ...(postgres ? { postgres } : {}),
  ...(defaultJitRate ? { defaultJitRate } : {}),
});
console.log(`\n${renderText(report)}\n\nwrote ${out}`);
