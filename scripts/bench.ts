/**
 * `npm run bench`: the real server as a subprocess against the simulator (fake GitHub, fake
 * Modal behind the real `modal` SDK), with API latency, hit by bursts of signed
 * `workflow_job.queued` webhooks; plus the pure plan() in-process and a naive baseline that calls
 * GitHub and Modal before answering. Prints a table and rewrites BENCHMARKS.md.
 *
 *   npm run bench                         # 100, 1,000 and 10,000 jobs (about 4-6 minutes)
 *   npm run bench -- --quick              # 100 and 1,000 jobs only
 *   npm run bench -- --jobs 100,2000 --github-latency 50 --modal-latency 800
 *
 * Exits non-zero when a run does not converge (a webhook not answered 200, a job without its
 * sandbox), never for a missed target (printed as MISS).
 */
import { execFileSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { cpus, release, totalmem, type } from 'node:os';
import { parseArgs } from 'node:util';
import { format, resolveConfig } from 'prettier';
import { planMicro } from '../bench/plan-micro.js';
import { renderMarkdown, renderText, type BenchReport } from '../bench/render-report.js';
import { measureFloor } from '../bench/measure-floor.js';
import { runBurst, type BurstRunOptions, type BurstRunResult } from '../bench/run-burst.js';
import { SERVER_NODE_FLAGS } from '../bench/server-process.js';
import { testPrivateKey } from '../sim/harness.js';
import { TEST_DATABASE_URL } from '../sim/test-database.js';

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    jobs: { type: 'string' },
    burst: { type: 'string', default: '1000' },
    'github-latency': { type: 'string', default: '100' },
    'modal-latency': { type: 'string', default: '400' },
    concurrency: { type: 'string', default: '32' },
    'max-concurrent-launches': { type: 'string', default: '16' },
    'max-runners': { type: 'string', default: '1000' },
    'jit-rate': { type: 'string', default: '100' },
    'plan-runs': { type: 'string', default: '200' },
    'no-baseline': { type: 'boolean', default: false },
    'no-postgres': { type: 'boolean', default: false },
    'database-url': { type: 'string', default: TEST_DATABASE_URL },
    out: { type: 'string', default: 'BENCHMARKS.md' },
  },
});

function positive(name: string, text: string | undefined): number {
  const n = Number(text);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`--${name} must be a positive number`);
  return n;
}

const sizes = (values.jobs ?? (values.quick ? '100,1000' : '100,1000,10000'))
  .split(',')
  .map((s) => positive('jobs', s.trim()));
const burstSize = positive('burst', values.burst);
const githubLatencyMs = positive('github-latency', values['github-latency']);
const modalLatencyMs = positive('modal-latency', values['modal-latency']);
const concurrency = positive('concurrency', values.concurrency);
const maxConcurrentLaunches = positive(
  'max-concurrent-launches',
  values['max-concurrent-launches'],
);
const maxRunners = positive('max-runners', values['max-runners']);
const jitRatePerSecond = positive('jit-rate', values['jit-rate']);
const planRuns = positive('plan-runs', values['plan-runs']);

/** The extra run with fewer webhooks in flight. */
const FEWER_CONNECTIONS = 8;
const started = Date.now();
// The servers run compiled, with plain node, as production runs `node dist/main.js`.
const buildDir = '.bench-build';
console.log(`compiling the servers (tsconfig.bench.json → ${buildDir}/)`);
rmSync(buildDir, { recursive: true, force: true });
execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.bench.json'], {
  stdio: 'inherit',
});
const base: Omit<BurstRunOptions, 'label' | 'jobs'> = {
  server: 'real',
  githubLatencyMs,
  modalLatencyMs,
  maxConcurrentLaunches,
  maxRunners,
  jitRatePerSecond,
  timings: {},
  concurrency,
  privateKey: testPrivateKey(),
  webhookSecret: 'bench-webhook-secret',
  buildDir,
};

async function run(options: BurstRunOptions): Promise<BurstRunResult> {
  const t0 = Date.now();
  process.stdout.write(`  ${options.label}: ${options.jobs} jobs … `);
  const result = await runBurst(options);
  process.stdout.write(
    `answer p99 ${result.answer.p99.toFixed(1)} ms, ${result.launch.throughputPerSecond.toFixed(1)} launches/s, ` +
      `peak RSS ${result.peakRssMb.toFixed(0)} MB (${((Date.now() - t0) / 1000).toFixed(0)} s)\n`,
  );
  return result;
}

console.log('modal-github-runner bench');
console.log(`  plan(): 10,000 queued jobs, 1,000 runners, ${planRuns} runs`);
const plan = await planMicro(10_000, 1_000, planRuns);

const scaling: BurstRunResult[] = [];
for (const jobs of sizes) scaling.push(await run({ ...base, label: `scale-${jobs}`, jobs }));
const burst =
  scaling.find((r) => r.options.jobs === burstSize) ??
  (await run({ ...base, label: `default-${burstSize}`, jobs: burstSize }));
// The same burst with the ledger on PostgreSQL (DATABASE_URL), as replicas run it.
const postgres = values['no-postgres']
  ? undefined
  : await run({
      ...base,
      label: `postgres-${burstSize}`,
      jobs: burstSize,
      databaseUrl: values['database-url'],
    });
const naive = values['no-baseline']
  ? undefined
  : await run({ ...base, label: 'naive', server: 'naive', jobs: burstSize });
const defaultJitRate = await run({
  ...base,
  label: 'default-jit-rate',
  jobs: 200,
  jitRatePerSecond: undefined,
});

const fewerConnections =
  concurrency > FEWER_CONNECTIONS
    ? await run({
        ...base,
        label: `connections-${FEWER_CONNECTIONS}`,
        jobs: burstSize,
        concurrency: FEWER_CONNECTIONS,
      })
    : undefined;

// The same 10,000-job burst with V8's default heap sizing, to show what the flags trade.
const defaultHeap = sizes.includes(10_000)
  ? await run({ ...base, label: 'default-heap-10000', jobs: 10_000, nodeFlags: [] })
  : undefined;

console.log(
  `  floors: an empty Node server, an empty Probot app and one sending gRPC calls, ${burstSize} webhooks at ${concurrency} and ${FEWER_CONNECTIONS} connections`,
);
const floor = await measureFloor({
  jobs: burstSize,
  concurrencies: [concurrency, FEWER_CONNECTIONS],
  buildDir,
  webhookSecret: base.webhookSecret,
  privateKey: base.privateKey,
});

const cpu = cpus();
const args = process.argv.slice(2);
const report: BenchReport = {
  date: new Date().toISOString(),
  machine: `${cpu.length} × ${cpu[0]?.model ?? 'unknown CPU'}, ${(totalmem() / 2 ** 30).toFixed(1)} GiB RAM, ${type()} ${release()}, Node ${process.version}`,
  command: `npm run bench${args.length > 0 ? ` -- ${args.join(' ')}` : ''}`,
  githubLatencyMs,
  modalLatencyMs,
  maxConcurrentLaunches,
  maxRunners,
  jitRatePerSecond,
  concurrency,
  burstSize,
  scaling,
  burst,
  postgres,
  naive,
  defaultJitRate,
  fewerConnections,
  defaultHeap,
  floor,
  nodeFlags: SERVER_NODE_FLAGS,
  plan,
  durationSeconds: (Date.now() - started) / 1000,
};
console.log(`\n${renderText(report)}`);
// Formatted like every other file, so that `npm run lint` (prettier --check) accepts it.
const out = values.out ?? 'BENCHMARKS.md';
const prettierOptions = (await resolveConfig(out)) ?? {};
writeFileSync(out, await format(renderMarkdown(report), { ...prettierOptions, filepath: out }));
console.log(`\nwrote ${values.out}`);
