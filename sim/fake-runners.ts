import { JOB_RECORD_PATH } from '../src/modal/runner-job-hook.js';
import { workflowJobPayload } from './webhooks.js';
import type { FakeGitHub, FakeJob } from './fake-github.js';
import type { FakeModal, FakeSandbox } from './modal/fake-modal.js';

export interface FakeRunnerOptions {
  /** From sandbox creation to the runner connecting to GitHub (overlaps the wait for the config). */
  readonly bootMs?: number;
  /** How long a sandbox waits for its config on stdin before it exits 1 (the entrypoint's timeout). */
  readonly configWaitMs?: number;
  /** How long a job runs. */
  readonly jobMs?: number;
  /** How often an idle runner asks GitHub for a job. */
  readonly pollMs?: number;
  /** Sandboxes whose runner dies before registering (chosen by this predicate). */
  readonly dieBeforeRegistering?: (sandbox: FakeSandbox) => boolean;
  /** GitHub loses the `in_progress` and `completed` webhooks (recorded as failed deliveries). */
  readonly dropJobWebhooks?: boolean;
}

export interface FakeRunnerStats {
  jobsRun: number;
  refused: number;
  diedEarly: number;
  /** The JIT configs the sandboxes read on stdin. */
  readonly jitConfigs: string[];
  /** Sandboxes that gave up waiting for their config. */
  noConfig: number;
}

/**
 * Plays the GitHub Actions runner inside every sandbox the fake Modal creates: it boots, reads
 * its JIT config as one line from stdin (never argv, never the environment: a sandbox that has
 * it there exits 1), connects, takes a job GitHub assigns it, reports `in_progress` and
 * `completed` through webhooks, and exits.
 */
export function attachFakeRunners(
  github: FakeGitHub,
  modal: FakeModal,
  options: FakeRunnerOptions = {},
): { stats: FakeRunnerStats; detach: () => void } {
  const bootMs = options.bootMs ?? 20;
  const jobMs = options.jobMs ?? 30;
  const pollMs = options.pollMs ?? 10;
  const configWaitMs = options.configWaitMs ?? 10_000;
  const stats: FakeRunnerStats = {
    jobsRun: 0,
    refused: 0,
    diedEarly: 0,
    jitConfigs: [],
    noConfig: 0,
  };
  let detached = false;
  // Unref'd: a long job left sleeping does not hold the process (or Jest) open.
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms).unref());
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
      { drop: options.dropJobWebhooks === true },
    );
  };

  /** What the job hook appends to the sandbox's job record. */
  const runHook = (sandbox: FakeSandbox, event: 'started' | 'completed', job: FakeJob) =>
    modal.files.append(
      sandbox.sandboxId,
      JOB_RECORD_PATH,
      `event=${event} repo=${job.repo} run_id=${job.runId} run_attempt=1 job=job-${job.id}\n`,
    );

  /** The first line of the sandbox's stdin, once written; undefined on EOF without one or timeout. */
  function configOf(sandbox: FakeSandbox): Promise<string | undefined> {
    return new Promise((resolve) => {
      const check = (): boolean => {
        const { text, eof } = sandbox.stdin;
        const newline = text.indexOf('\n');
        if (newline >= 0 || eof || !alive(sandbox)) {
          const line = newline >= 0 ? text.slice(0, newline) : text;
          finish(line === '' ? undefined : line);
          return true;
        }
        return false;
      };
      const finish = (value: string | undefined) => {
        clearTimeout(timer);
        clearInterval(poll);
        unsubscribe();
        resolve(value);
      };
      const timer = setTimeout(() => finish(undefined), configWaitMs);
      const poll = setInterval(check, 50); // notices detach and exits
      const unsubscribe = modal.onStdin((changed) => {
        if (changed.sandboxId === sandbox.sandboxId) check();
      });
      check();
    });
  }

  async function live(sandbox: FakeSandbox): Promise<void> {
    const [jit] = await Promise.all([configOf(sandbox), sleep(bootMs)]);
    if (!alive(sandbox)) return;
    const leaked =
      jit !== undefined &&
      (Object.values(sandbox.env).some((value) => value.includes(jit)) ||
        sandbox.command.some((arg) => arg.includes(jit)));
    if (jit === undefined || leaked) {
      if (jit === undefined) stats.noConfig += 1;
      modal.exit(sandbox.sandboxId, 1);
      return;
    }
    stats.jitConfigs.push(jit);
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
        runHook(sandbox, 'started', job);
        await deliverJob('in_progress', job);
        await sleep(jobMs);
        if (!alive(sandbox)) return;
        runHook(sandbox, 'completed', job);
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
