import { workflowJobPayload } from './webhooks.js';
import type { FakeGitHub, FakeJob } from './fake-github.js';
import type { FakeModal, FakeSandbox } from './fake-modal.js';

export interface FakeRunnerOptions {
  /** From sandbox creation to the runner connecting to GitHub. */
  readonly bootMs?: number;
  /** How long a job runs. */
  readonly jobMs?: number;
  /** How often an idle runner asks GitHub for a job. */
  readonly pollMs?: number;
  /** Sandboxes whose runner dies before registering (chosen by this predicate). */
  readonly dieBeforeRegistering?: (sandbox: FakeSandbox) => boolean;
}

export interface FakeRunnerStats {
  jobsRun: number;
  refused: number;
  diedEarly: number;
  /** The JIT configs the sandboxes were started with. */
  readonly jitConfigs: string[];
}

/**
 * Plays the GitHub Actions runner inside every sandbox the fake Modal creates: it reads its JIT
 * config from its environment (never argv), connects, takes a job GitHub assigns it, reports
 * `in_progress` and `completed` through webhooks, and exits.
 */
export function attachFakeRunners(
  github: FakeGitHub,
  modal: FakeModal,
  options: FakeRunnerOptions = {},
): { stats: FakeRunnerStats; detach: () => void } {
  const bootMs = options.bootMs ?? 20;
  const jobMs = options.jobMs ?? 30;
  const pollMs = options.pollMs ?? 10;
  const stats: FakeRunnerStats = { jobsRun: 0, refused: 0, diedEarly: 0, jitConfigs: [] };
  let detached = false;
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
  const alive = (sandbox: FakeSandbox) =>
    !detached && modal.sandbox(sandbox.sandboxId)?.result === undefined;

  const deliverJob = (action: 'in_progress' | 'completed', job: FakeJob, installationId = 7) => {
    const [owner = 'acme'] = job.repo.split('/');
    return github.deliver(
      'workflow_job',
      workflowJobPayload({
        action,
        id: job.id,
        runId: job.runId,
        repo: job.repo,
        labels: job.labels,
        runnerName: job.runnerName,
        conclusion: job.conclusion,
        installationId,
        ownerType: owner === 'jane' ? 'User' : 'Organization',
      }),
    );
  };

  async function live(sandbox: FakeSandbox): Promise<void> {
    const jit = sandbox.env.ACTIONS_RUNNER_INPUT_JITCONFIG;
    if (jit === undefined || sandbox.command.some((arg) => arg.includes(jit))) {
      modal.exit(sandbox.sandboxId, 1);
      return;
    }
    stats.jitConfigs.push(jit);
    await sleep(bootMs);
    if (!alive(sandbox)) return;
    if (options.dieBeforeRegistering?.(sandbox)) {
      stats.diedEarly += 1;
      modal.exit(sandbox.sandboxId, 1);
      return;
    }
    const runner = github.connectRunner(jit);
    if (!runner) {
      // run.sh exits 0 even when registration fails.
      stats.refused += 1;
      modal.exit(sandbox.sandboxId, 0);
      return;
    }
    while (alive(sandbox)) {
      if (!github.runners.has(runner.id)) {
        modal.exit(sandbox.sandboxId, 0);
        return;
      }
      const job = github.assignJob(runner);
      if (job) {
        await deliverJob('in_progress', job);
        await sleep(jobMs);
        if (!alive(sandbox)) return;
        github.completeJob(job);
        stats.jobsRun += 1;
        await deliverJob('completed', job);
        if (alive(sandbox)) modal.exit(sandbox.sandboxId, 0);
        return;
      }
      await sleep(pollMs);
    }
  }

  const unsubscribe = modal.onCreate((sandbox) => {
    void live(sandbox);
  });
  return {
    stats,
    detach: () => {
      detached = true;
      unsubscribe();
    },
  };
}
