import pLimit from 'p-limit';
import type { Logger } from 'pino';
import type { RunnerClass } from '../config/runner-class.js';
import {
  LIVE_RUNNER_STATES,
  type JobRecord,
  type Ledger,
  type RunnerRecord,
} from '../ledger/ledger.js';
import { plan, type PlanCaps, type WaitReason } from './plan.js';
import {
  noMetrics,
  scopeKey,
  type Clock,
  type JitConfig,
  type Metrics,
  type RunnerRegistry,
  type SandboxPlatform,
} from './ports.js';
import { backoffDelay, DEFAULT_RETRY_POLICY, withRetry, type RetryPolicy } from './retry.js';
import { newRunnerName } from './runner-name.js';

export interface ControllerOptions {
  readonly ledger: Ledger;
  readonly registry: RunnerRegistry;
  readonly platform: SandboxPlatform;
  readonly classes: ReadonlyMap<string, RunnerClass>;
  readonly maxRunners: number;
  readonly maxConcurrentLaunches: number;
  readonly runnerGroupId: number;
  readonly clock: Clock;
  readonly log: Logger;
  readonly random?: () => number;
  readonly retryPolicy?: RetryPolicy;
  /** Backoff between failed launches for one job. */
  readonly launchBackoff?: { readonly baseDelayMs: number; readonly maxDelayMs: number };
  readonly idleGraceMs?: number;
  readonly bootTimeoutMs?: number;
  readonly newRunnerName?: (runnerClass: string) => string;
  /** App name stamped on sandboxes (`managed-by` tag). */
  readonly managedBy?: string;
  readonly metrics?: Metrics;
  /**
   * Mint the JIT config, then create the sandbox (the old order), instead of both at once.
   * Only for comparison in the benchmark.
   */
  readonly sequentialLaunch?: boolean;
  /** Sandbox lifetime of classes without `timeoutMinutes` (bounds how long warm ones wait). */
  readonly sandboxTimeoutMinutes?: number;
  /** Oldest a warm sandbox may be when a job takes it (30 min, or a quarter of its lifetime). */
  readonly warmMaxAgeMs?: number;
}

export interface Controller {
  /** Asks for a plan soon. Cheap and safe to call from the webhook path. */
  wake(): void;
  /** Resolves once no plan is running and no action is in flight. */
  settled(): Promise<void>;
  /** Why each uncovered queued job waits, as of the last plan. */
  waitReasons(): ReadonlyMap<number, WaitReason>;
  /** Runners with a launch, termination or retirement under way; others must leave them be. */
  inFlight(): ReadonlySet<string>;
  /** Follows a sandbox adopted by reconciliation, as if this process had launched it. */
  watch(runnerName: string, sandboxId: string): void;
  stop(): Promise<void>;
}

export const MANAGED_BY = 'modal-github-runner';

/** A warm sandbox waits for a config this much longer than the plan keeps it. */
const WARM_WAIT_GRACE_SECONDS = 300;

/** After a plan, the loop rests this many times the plan's duration (see `runLoop`)… */
const PLAN_REST_FACTOR = 2;
/** …but never longer than this. */
const MAX_PLAN_REST_MS = 50;

/**
 * The control loop: one plan at a time, woken by webhooks, sandbox exits and finished actions;
 * actions run through p-limit and every outcome is written to the ledger.
 */
export function createController(options: ControllerOptions): Controller {
  const { ledger, registry, platform, clock } = options;
  const random = options.random ?? Math.random;
  const retryPolicy = options.retryPolicy ?? DEFAULT_RETRY_POLICY;
  const launchBackoff = options.launchBackoff ?? { baseDelayMs: 5_000, maxDelayMs: 300_000 };
  const makeName = options.newRunnerName ?? newRunnerName;
  const managedBy = options.managedBy ?? MANAGED_BY;
  const metrics = options.metrics ?? noMetrics;
  const sequentialLaunch = options.sequentialLaunch ?? false;
  const caps: PlanCaps = {
    maxRunners: options.maxRunners,
    classMaxRunners: new Map(
      [...options.classes.values()]
        .filter((c) => c.maxRunners !== undefined)
        .map((c) => [c.name, c.maxRunners as number]),
    ),
    idleGraceMs: options.idleGraceMs ?? 60_000,
    bootTimeoutMs: options.bootTimeoutMs ?? 300_000,
    warmPools: new Map(
      [...options.classes.values()]
        .filter((c) => (c.warmPool ?? 0) > 0)
        .map((c) => {
          // Used within the first quarter of its lifetime (and within 30 min), a warm sandbox
          // leaves a job at least three quarters of the sandbox timeout.
          const lifetimeMs = (c.timeoutMinutes ?? options.sandboxTimeoutMinutes ?? 360) * 60_000;
          const maxAgeMs = Math.min(options.warmMaxAgeMs ?? 30 * 60_000, lifetimeMs / 4);
          return [c.name, { size: c.warmPool as number, maxAgeMs }];
        }),
    ),
  };
  const launchLimit = pLimit(options.maxConcurrentLaunches);
  const shutdownLimit = pLimit(options.maxConcurrentLaunches);
  const inFlight = new Set<string>();
  const tasks = new Set<Promise<void>>();
  let loop: Promise<void> | undefined;
  let dirty = false;
  let stopped = false;
  let lastWaiting: ReadonlyMap<number, WaitReason> = new Map();
  /** The last plan left jobs waiting for MAX_RUNNERS or a class cap. */
  let lastPlanCapped = false;
  /** Ends the loop's rest early (set while it rests). */
  let endRest: (() => void) | undefined;

  /**
   * A new plan could start a launch at once: a launch slot is free, nothing already waits for
   * one, and the last plan was not held back by the caps. Then planning should not wait.
   */
  const launchCouldStart = () =>
    launchLimit.activeCount + launchLimit.pendingCount < options.maxConcurrentLaunches &&
    !lastPlanCapped;

  const retry = <T>(log: Logger, operation: string, fn: () => Promise<T>) =>
    withRetry(fn, {
      policy: retryPolicy,
      clock,
      random,
      onRetry: (error, attempt, delayMs) =>
        log.warn(
          { operation, attempt, delayMs, err: describe(error) },
          `${operation} failed; retrying`,
        ),
    });

  function wake(): void {
    if (stopped) return;
    dirty = true;
    if (loop) {
      if (endRest !== undefined && launchCouldStart()) endRest();
      return;
    }
    loop = runLoop().finally(() => {
      loop = undefined;
      if (dirty && !stopped) wake();
    });
  }

  function rest(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        endRest = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      endRest = done;
    });
  }

  async function runLoop(): Promise<void> {
    // When a launch could start, plan now: the job that woke us gets its create request out
    // before the webhook that brought it is answered, which costs that answer the plan (well
    // under a millisecond for a short queue). Otherwise let the caller answer first.
    if (!launchCouldStart()) await new Promise((resolve) => setImmediate(resolve));
    while (dirty && !stopped) {
      dirty = false;
      const started = performance.now();
      try {
        await planOnce();
        // Planning is synchronous CPU work that grows with the queue. Woken again at once (a
        // burst wakes it per webhook), it would hold the event loop and delay webhook answers;
        // so while no launch could start (every slot busy, or the caps reached) it rests
        // PLAN_REST_FACTOR times as long as it planned, and wakes that come in meanwhile share
        // the next plan. A slot that frees with nothing waiting for it ends the rest. Launches
        // already planned need no plan to start: they wait for their slot in the executor.
        const pause = Math.min(MAX_PLAN_REST_MS, PLAN_REST_FACTOR * (performance.now() - started));
        if (dirty && pause >= 1 && !launchCouldStart()) await rest(pause);
      } catch (error) {
        options.log.error(
          { err: describe(error) },
          'planning failed; will try again on the next wake',
        );
      }
    }
  }

  async function planOnce(): Promise<void> {
    const [queuedJobs, runners] = await Promise.all([
      ledger.listJobs(['queued']),
      ledger.listRunners(LIVE_RUNNER_STATES),
    ]);
    const result = plan({ queuedJobs, runners, inFlight }, caps, clock.now());
    lastWaiting = result.waiting;
    lastPlanCapped = false;
    for (const reason of result.waiting.values()) {
      if (reason === 'cap' || reason === 'class-cap') {
        lastPlanCapped = true;
        break;
      }
    }
    for (const action of result.actions) {
      if (action.kind === 'launch') {
        const runner = action.warm
          ? await claimWarm(action.warm, action.job)
          : await recordLaunch(action.job);
        track(runner.name, launchLimit, () => launch(runner, action.job));
      } else if (action.kind === 'warm') {
        const runner = await recordWarm(action.runnerClass);
        track(runner.name, launchLimit, () => bootWarm(runner));
      } else if (action.kind === 'terminate') {
        track(action.runner.name, shutdownLimit, () => terminate(action.runner, action.reason));
      } else {
        track(action.runner.name, shutdownLimit, () => retire(action.runner, action.reason));
      }
    }
  }

  function track(name: string, limit: ReturnType<typeof pLimit>, fn: () => Promise<void>): void {
    inFlight.add(name);
    const task: Promise<void> = limit(fn)
      .catch((error: unknown) =>
        options.log.error({ runnerName: name, err: describe(error) }, 'runner action failed'),
      )
      .finally(() => {
        inFlight.delete(name);
        tasks.delete(task);
        wake();
      });
    tasks.add(task);
  }

  /** Records a new runner (counted against the caps from now on) and returns it. */
  async function recordRunner(
    fields: Pick<
      RunnerRecord,
      'runnerClass' | 'scope' | 'installationId' | 'state' | 'launchedForJobId'
    >,
  ): Promise<RunnerRecord> {
    const now = clock.now();
    const runner: RunnerRecord = {
      ...fields,
      name: makeName(fields.runnerClass),
      runnerId: null,
      sandboxId: null,
      tookJobId: null,
      createdAt: now,
      updatedAt: now,
      lastError: null,
    };
    await ledger.insertRunner(runner);
    return runner;
  }

  const recordLaunch = (job: JobRecord) =>
    recordRunner({
      runnerClass: job.runnerClass,
      scope: job.scope,
      installationId: job.installationId,
      state: 'launching',
      launchedForJobId: job.id,
    });

  /** A warm runner; its scope and installation are unknown until a launch takes it (claimWarm). */
  const recordWarm = (runnerClass: string) =>
    recordRunner({
      runnerClass,
      scope: { kind: 'org', org: '' },
      installationId: 0,
      state: 'warm',
      launchedForJobId: null,
    });

  /** Boots a warm sandbox: it waits on stdin for a job's config for as long as it may be used. */
  async function bootWarm(runner: RunnerRecord): Promise<void> {
    const log = options.log.child({ class: runner.runnerClass, runnerName: runner.name });
    const runnerClass = options.classes.get(runner.runnerClass);
    const pool = caps.warmPools?.get(runner.runnerClass);
    try {
      if (runnerClass === undefined || pool === undefined) {
        throw new Error(`runner class ${runner.runnerClass} has no warm pool any more`);
      }
      const { sandboxId } = await retry(log, 'create-sandbox', () =>
        platform.launch({
          name: runner.name,
          runnerClass,
          tags: {
            'managed-by': managedBy,
            'runner-class': runner.runnerClass,
            'runner-name': runner.name,
            warm: 'true',
          },
          // Recycled at maxAgeMs by the plan; the grace covers a plan that runs late.
          configWaitSeconds: pool.maxAgeMs / 1000 + WARM_WAIT_GRACE_SECONDS,
        }),
      );
      await ledger.updateRunner(runner.name, { sandboxId, at: clock.now() });
      log.info({ sandboxId }, 'warm sandbox booted');
      watchExit(runner.name, sandboxId, log.child({ sandboxId }));
    } catch (error) {
      metrics.error(errorCause(error));
      await ledger.updateRunner(runner.name, {
        state: 'failed',
        lastError: describe(error).message,
        at: clock.now(),
      });
      log.warn({ err: describe(error) }, 'warm sandbox could not be created');
    }
  }

  /** Gives a warm runner to a job: it becomes an ordinary launch that skips sandbox creation. */
  async function claimWarm(warm: RunnerRecord, job: JobRecord): Promise<RunnerRecord> {
    const claimed = await ledger.updateRunner(warm.name, {
      state: 'launching',
      launchedForJobId: job.id,
      scope: job.scope,
      installationId: job.installationId,
      at: clock.now(),
    });
    return claimed ?? warm;
  }

  async function launch(runner: RunnerRecord, job: JobRecord): Promise<void> {
    const log = options.log.child({
      jobId: job.id,
      runId: job.runId,
      repo: job.repo,
      class: runner.runnerClass,
      runnerName: runner.name,
    });
    const runnerClass = options.classes.get(runner.runnerClass);
    if (runnerClass === undefined) {
      await failLaunch(
        runner,
        job,
        log,
        new Error(`runner class ${runner.runnerClass} is no longer configured`),
      );
      return;
    }
    const mint = async (): Promise<JitConfig> => {
      const minted = await retry(log, 'generate-jitconfig', () =>
        registry.generateJitConfig({
          installationId: runner.installationId,
          scope: runner.scope,
          name: runner.name,
          labels: ['self-hosted', 'Linux', 'X64', runner.runnerClass],
          runnerGroupId: options.runnerGroupId,
        }),
      );
      await ledger.updateRunner(runner.name, { runnerId: minted.runnerId, at: clock.now() });
      return minted;
    };
    const create = async (): Promise<string> => {
      const { sandboxId: id } = await retry(log, 'create-sandbox', () =>
        platform.launch({
          name: runner.name,
          runnerClass,
          tags: {
            'managed-by': managedBy,
            'runner-class': runner.runnerClass,
            org: job.org,
            repo: job.repo,
            'job-id': String(job.id),
            'runner-name': runner.name,
            scope: scopeKey(runner.scope),
            'installation-id': String(runner.installationId),
          },
        }),
      );
      // Recorded before the config is delivered, so that after a crash the reconciler finds it.
      await ledger.updateRunner(runner.name, { sandboxId: id, at: clock.now() });
      return id;
    };
    // The sandbox boots while GitHub mints its config (unless sequentialLaunch, kept to compare).
    let jit: JitConfig;
    let sandboxId: string;
    const warmSandbox = runner.sandboxId;
    if (warmSandbox !== null) {
      // A warm sandbox: booted already, waiting for this config.
      sandboxId = warmSandbox;
      try {
        jit = await mint();
      } catch (error) {
        await abandonSandbox(warmSandbox, log);
        await failLaunch(runner, job, log, error);
        return;
      }
    } else if (sequentialLaunch) {
      try {
        jit = await mint();
      } catch (error) {
        await failLaunch(runner, job, log, error);
        return;
      }
      try {
        sandboxId = await create();
      } catch (error) {
        await deleteRegistration({ ...runner, runnerId: jit.runnerId }, log);
        await failLaunch(runner, job, log, error);
        return;
      }
    } else {
      const [minted, created] = await Promise.allSettled([mint(), create()]);
      if (minted.status === 'rejected' || created.status === 'rejected') {
        if (created.status === 'fulfilled') await abandonSandbox(created.value, log);
        if (minted.status === 'fulfilled') {
          await deleteRegistration({ ...runner, runnerId: minted.value.runnerId }, log);
        }
        await failLaunch(
          runner,
          job,
          log,
          minted.status === 'rejected' ? minted.reason : (created as PromiseRejectedResult).reason,
        );
        return;
      }
      jit = minted.value;
      sandboxId = created.value;
    }
    try {
      await retry(log, 'deliver-config', () =>
        platform.deliverConfig(sandboxId, jit.encodedJitConfig),
      );
    } catch (error) {
      await abandonSandbox(sandboxId, log);
      await deleteRegistration({ ...runner, runnerId: jit.runnerId }, log);
      await failLaunch(runner, job, log, error);
      return;
    }
    const current = await ledger.getRunner(runner.name);
    if (current?.state === 'launching') {
      await ledger.updateRunner(runner.name, { state: 'booting', at: clock.now() });
    }
    metrics.launch(runner.runnerClass, 'success', clock.now() - runner.createdAt);
    log.info({ sandboxId, runnerId: jit.runnerId, warm: warmSandbox !== null }, 'runner launched');
    // A warm sandbox has been watched since it booted.
    if (warmSandbox === null) watchExit(runner.name, sandboxId, log.child({ sandboxId }));
  }

  /** Terminates the sandbox of a launch that failed; a failure here is left to the reconciler. */
  async function abandonSandbox(sandboxId: string, log: Logger): Promise<void> {
    try {
      await platform.terminate(sandboxId);
    } catch (error) {
      log.warn(
        { sandboxId, err: describe(error) },
        'could not terminate the sandbox of a failed launch',
      );
    }
  }

  async function failLaunch(
    runner: RunnerRecord,
    job: JobRecord,
    log: Logger,
    error: unknown,
  ): Promise<void> {
    const described = describe(error);
    const message = described.message;
    const now = clock.now();
    metrics.launch(runner.runnerClass, 'failure', now - runner.createdAt);
    metrics.error(errorCause(error));
    await ledger.updateRunner(runner.name, { state: 'failed', lastError: message, at: now });
    const latest = (await ledger.getJob(job.id)) ?? job;
    const attempts = latest.launchAttempts + 1;
    const delay = backoffDelay(launchBackoff, attempts, random);
    await ledger.updateJob(job.id, {
      launchAttempts: attempts,
      nextAttemptAt: now + delay,
      lastError: message,
    });
    log.error({ err: describe(error), attempts, nextAttemptInMs: delay }, 'launch failed');
  }

  function watchExit(name: string, sandboxId: string, log: Logger): void {
    platform.waitForExit(sandboxId).then(
      (exitCode) => onSandboxExit(name, exitCode, log),
      (error: unknown) =>
        log.warn(
          { err: describe(error) },
          'lost track of the sandbox; reconciliation will find it',
        ),
    );
  }

  async function onSandboxExit(name: string, exitCode: number, log: Logger): Promise<void> {
    if (stopped) return;
    const runner = await ledger.getRunner(name);
    if (runner === undefined || runner.state === 'done' || runner.state === 'failed') return;
    if (runner.state === 'warm') {
      await ledger.updateRunner(name, { state: 'done', at: clock.now() });
      log.info({ exitCode }, 'warm sandbox ended unused');
      wake();
      return;
    }
    const tookJob = runner.state === 'busy' || runner.state === 'finishing';
    if (tookJob) {
      await ledger.updateRunner(name, { state: 'done', at: clock.now() });
      log.info({ exitCode }, 'sandbox exited after its job');
    } else {
      await ledger.updateRunner(name, {
        state: 'failed',
        lastError: `sandbox exited (code ${exitCode}) before the runner took a job`,
        at: clock.now(),
      });
      log.warn({ exitCode }, 'sandbox exited before the runner took a job');
      await deleteRegistration(runner, log);
    }
    wake();
  }

  async function terminate(runner: RunnerRecord, reason: string): Promise<void> {
    const log = options.log.child({ runnerName: runner.name, sandboxId: runner.sandboxId });
    if (runner.sandboxId !== null) {
      const id = runner.sandboxId;
      await retry(log, 'terminate-sandbox', () => platform.terminate(id));
    }
    await ledger.updateRunner(runner.name, { state: 'done', at: clock.now() });
    log.info({ reason }, 'runner finished');
  }

  async function retire(runner: RunnerRecord, reason: string): Promise<void> {
    const log = options.log.child({ runnerName: runner.name, sandboxId: runner.sandboxId });
    const removed = await deleteRegistration(runner, log);
    if (!removed) return;
    const current = await ledger.getRunner(runner.name);
    if (current !== undefined && current.state !== runner.state) {
      log.info({ state: current.state }, 'runner changed state while being retired; left alone');
      return;
    }
    if (runner.sandboxId !== null) {
      const id = runner.sandboxId;
      await retry(log, 'terminate-sandbox', () => platform.terminate(id));
    }
    await ledger.updateRunner(runner.name, { state: 'done', lastError: reason, at: clock.now() });
    log.info({ reason }, 'runner retired');
  }

  /** Deletes the GitHub registration; false when GitHub says the runner is busy. */
  async function deleteRegistration(runner: RunnerRecord, log: Logger): Promise<boolean> {
    if (runner.runnerId === null) return true;
    const runnerId = runner.runnerId;
    try {
      await retry(log, 'delete-runner', () =>
        registry.deleteRunner({
          installationId: runner.installationId,
          scope: runner.scope,
          runnerId,
        }),
      );
      return true;
    } catch (error) {
      if (isRunnerBusy(error)) {
        log.info('runner is running a job; registration kept');
        return false;
      }
      log.error({ err: describe(error) }, 'could not delete the runner registration');
      return false;
    }
  }

  return {
    wake,
    async settled() {
      while (loop !== undefined || tasks.size > 0) {
        await Promise.allSettled([loop, ...tasks]);
      }
    },
    waitReasons: () => lastWaiting,
    inFlight: () => inFlight,
    watch: (runnerName, sandboxId) =>
      watchExit(runnerName, sandboxId, options.log.child({ runnerName, sandboxId })),
    async stop() {
      stopped = true;
      endRest?.();
      await Promise.allSettled([loop, ...tasks]);
    },
  };
}

/** A short, bounded label for the errors metric: the error's code, or its class. */
function errorCause(error: unknown): string {
  const code = (error as { code?: unknown }).code;
  const name = error instanceof Error ? error.name : 'unknown';
  return typeof code === 'string' && /^[\w-]{1,40}$/.test(code) ? `${name}:${code}` : name;
}

function isRunnerBusy(error: unknown): boolean {
  return (
    typeof error === 'object' &&
    error !== null &&
    (error as { runnerBusy?: unknown }).runnerBusy === true
  );
}

/** What of an error is safe to log: its class, message and status, never request objects. */
export function describe(error: unknown): { type: string; message: string; status?: number } {
  if (error instanceof Error) {
    const status = (error as { status?: unknown }).status;
    return {
      type: error.name,
      message: error.message,
      ...(typeof status === 'number' ? { status } : {}),
    };
  }
  return { type: typeof error, message: String(error) };
}
