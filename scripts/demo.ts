/**
 * `npm run demo`: the whole loop on localhost without a GitHub or Modal account. A simulated
 * GitHub (loopback HTTP), a fake Modal control plane behind the real `modal` SDK, and fake
 * runners that take jobs and finish them; the real server in between, with its status page
 * and metrics.
 *
 *   npm run demo                     # 60 jobs over a minute, then it stops
 *   npm run demo -- --jobs 200 --max-runners 20 --seconds 120
 */
import { parseArgs } from 'node:util';
import { attachFakeRunners } from '../sim/fake-runners.js';
import { startHarness } from '../sim/harness.js';
import { workflowJobPayload } from '../sim/webhooks.js';

const { values } = parseArgs({
  options: {
    jobs: { type: 'string', default: '60' },
    'max-runners': { type: 'string', default: '8' },
    seconds: { type: 'string', default: '60' },
    port: { type: 'string', default: '3000' },
  },
});
const jobs = Number(values.jobs);
/** A throwaway token for the demo's status page; a real deployment uses its own secret. */
const DEMO_STATUS_TOKEN = 'demo-status-token-not-a-secret';
const seconds = Number(values.seconds);

const h = await startHarness({
  env: {
    PORT: values.port ?? '3000',
    MAX_RUNNERS: values['max-runners'] ?? '8',
    MAX_CONCURRENT_LAUNCHES: '4',
    LOG_LEVEL: 'info',
    STATUS_TOKEN: DEMO_STATUS_TOKEN,
    RUNNER_CLASSES:
      '{"modal":{"cpu":2,"memoryMiB":8192,"warmPool":2},"modal-gpu":{"cpu":8,"memoryMiB":32768,"gpu":"A10G","maxRunners":2}}',
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

console.log(`\nmodal-github-runner demo: ${jobs} jobs over ~${Math.round(seconds / 2)} s`);
console.log(
  `  status page:  ${h.server.url}/status  (user: anything, password: ${DEMO_STATUS_TOKEN})`,
);
console.log(
  `  in a terminal: STATUS_TOKEN=${DEMO_STATUS_TOKEN} npx tsx src/cli.ts status --url ${h.server.url}`,
);
console.log(`  metrics:      ${h.server.url}/metrics`);
console.log('  Ctrl-C to stop.\n');

const repos = ['acme/api', 'acme/web', 'acme/infra', 'acme/ml'];
const spread = (seconds * 1000) / 2 / Math.max(1, jobs);
for (let i = 1; i <= jobs; i++) {
  const repo = repos[i % repos.length] as string;
  const labels = repo === 'acme/ml' ? ['self-hosted', 'modal-gpu'] : ['self-hosted', 'modal'];
  h.github.addJob({ id: i, runId: i * 10, repo, labels });
  void h.github.deliver('workflow_job', workflowJobPayload({ id: i, runId: i * 10, repo, labels }));
  await new Promise((r) => setTimeout(r, spread));
}

const done = () => [...h.github.jobs.values()].filter((j) => j.status === 'completed').length;
const deadline = Date.now() + (seconds * 1000) / 2 + 30_000;
while (done() < jobs && Date.now() < deadline) {
  console.log(
    `  completed ${done()}/${jobs}, live sandboxes ${h.modal.liveCount()} (peak ${h.modal.maxLiveCount})`,
  );
  await new Promise((r) => setTimeout(r, 5_000));
}
console.log(`\n  completed ${done()}/${jobs}; ${runners.stats.jobsRun} jobs ran on fresh runners.`);
runners.detach();
await h.stop();
process.exit(0);
