/**
 * `npm run demo`: the whole loop on localhost without a GitHub or Modal account. A simulated
 * GitHub (loopback HTTP), a fake Modal control plane behind the real `modal` SDK, and fake
 * runners that take jobs and finish them; the real server in between, with its status page
 * and metrics. It serves until Ctrl-C, after the jobs are done too, so the page can be read.
 *
 *   npm run demo                     # 60 jobs sent over 60 seconds
 *   npm run demo -- --jobs 200 --max-runners 20 --seconds 120
 */
import { parseArgs } from 'node:util';
import { attachFakeRunners } from '../sim/fake-runners.js';
import { startHarness } from '../sim/harness.js';
import { workflowJobPayload } from '../sim/webhooks.js';

const HELP = `Usage: npm run demo -- [--jobs N] [--seconds S] [--max-runners N] [--port P]

  --jobs N         jobs to queue (default 60)
  --seconds S      send them spread over S seconds (default 60)
  --max-runners N  MAX_RUNNERS of the server (default 8)
  --port P         port of the server and its status page (default 3000)

The server keeps serving after the jobs are done, until Ctrl-C.
`;

const { values } = parseArgs({
  options: {
    jobs: { type: 'string', default: '60' },
    'max-runners': { type: 'string', default: '8' },
    seconds: { type: 'string', default: '60' },
    port: { type: 'string', default: '3000' },
    help: { type: 'boolean', short: 'h', default: false },
  },
});
if (values.help) {
  process.stdout.write(HELP);
  process.exit(0);
}
const wholeNumber = (name: string, value: string | undefined, min: number): number => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) {
    process.stderr.write(`--${name} must be a whole number of at least ${min}\n\n${HELP}`);
    process.exit(2);
  }
  return n;
};
const jobs = wholeNumber('jobs', values.jobs, 1);
const seconds = wholeNumber('seconds', values.seconds, 0);
const maxRunners = wholeNumber('max-runners', values['max-runners'], 1);
const port = wholeNumber('port', values.port, 1);
/** A throwaway token for the demo's status page; a real deployment uses its own secret. */
const DEMO_STATUS_TOKEN = 'demo-status-token-not-a-secret';

const h = await startHarness({
  env: {
    PORT: String(port),
    MAX_RUNNERS: String(maxRunners),
    MAX_CONCURRENT_LAUNCHES: '4',
    LOG_LEVEL: 'info',
    STATUS_TOKEN: DEMO_STATUS_TOKEN,
    RUNNER_CLASSES:
      '{"modal":{"cpu":2,"memoryMiB":8192,"warmPool":2},"modal-gpu":{"cpu":8,"memoryMiB":32768,"gpu":"A10G","maxRunners":2,"cache":{"sizeGiB":20,"ttlDays":7}},"modal-docker":{"cpu":4,"memoryMiB":16384,"docker":true,"maxRunners":4}}',
  },
  timings: { reconcileIntervalMs: 5_000, idleGraceMs: 10_000, statusSampleMs: 2_000 },
});
h.github.latencyMs = 80;
h.modal.latencyMs.SandboxCreateV2 = 300;
h.modal.latencyMs.SandboxCreate = 600;
const runners = attachFakeRunners(h.github, h.modal, {
  bootMs: 1500,
  jobMs: 4000,
  pollMs: 200,
  // Warm sandboxes wait for a config as long as the server keeps them.
  configWaitMs: 30 * 60_000,
});

console.log(`\nmodal-github-runner demo: ${jobs} jobs sent over ${seconds} s`);
console.log(
  `  status page:  ${h.server.url}/status  (user: anything, password: ${DEMO_STATUS_TOKEN})`,
);
console.log(
  `  in a terminal: STATUS_TOKEN=${DEMO_STATUS_TOKEN} npx tsx src/cli.ts status --url ${h.server.url}`,
);
console.log(`  metrics:      ${h.server.url}/metrics`);
console.log('  Ctrl-C to stop.\n');

let stopping = false;
process.once('SIGINT', () => {
  stopping = true;
  console.log('\n  stopping…');
  runners.detach();
  h.stop().then(
    () => process.exit(0),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
});

const done = () => [...h.github.jobs.values()].filter((j) => j.status === 'completed').length;
const progress = setInterval(() => {
  console.log(
    `  completed ${done()}/${jobs}, live sandboxes ${h.modal.liveCount()} (peak ${h.modal.maxLiveCount})`,
  );
  if (done() >= jobs) {
    clearInterval(progress);
    console.log(
      `\n  all ${jobs} jobs completed on fresh runners (${runners.stats.jobsRun} runs); the server keeps serving ${h.server.url}/status until Ctrl-C.`,
    );
  }
}, 5_000);

// Job i is sent at i/jobs of the way through --seconds: the last one at the end of it.
const repos = ['acme/api', 'acme/web', 'acme/infra', 'acme/ml'];
/** The class each repository's jobs ask for: a GPU class, a Docker class, else `modal`. */
const classOf: Record<string, string> = { 'acme/ml': 'modal-gpu', 'acme/infra': 'modal-docker' };
const started = Date.now();
for (let i = 1; i <= jobs && !stopping; i++) {
  const repo = repos[i % repos.length] as string;
  const labels = ['self-hosted', classOf[repo] ?? 'modal'];
  const dueAt = started + (seconds * 1000 * (i - 1)) / Math.max(1, jobs - 1);
  await new Promise((r) => setTimeout(r, Math.max(0, dueAt - Date.now())));
  h.github.addJob({ id: i, runId: i * 10, repo, labels });
  void h.github.deliver('workflow_job', workflowJobPayload({ id: i, runId: i * 10, repo, labels }));
}
