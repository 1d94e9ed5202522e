import type { Logger } from 'pino';
import { describe } from '../controller/controller.js';
import {
  parseScopeKey,
  scopeKey,
  type Clock,
  type RunnerScope,
  type Metrics,
  type SandboxPlatform,
} from '../controller/ports.js';
import { recordJobEvent } from '../controller/record-job-event.js';
import { RUNNER_NAME_PREFIX } from '../controller/runner-name.js';
import {
  JOB_STATUS_ORDER,
  type JobRecord,
  type JobStatus,
  type Ledger,
  type RunnerRecord,
} from '../ledger/ledger.js';
import { reconcilePlan, type Registration, type Repair } from './reconcile-plan.js';

/** The GitHub calls reconciliation makes (implemented in `src/github/`). */
export interface ReconcileGitHub {
  listRunners(input: {
    installationId: number;
    scope: RunnerScope;
    namePrefix?: string;
  }): Promise<readonly Registration[]>;
  findRunnerByName(input: {
    installationId: number;
    scope: RunnerScope;
    name: string;
  }): Promise<Registration | undefined>;
  deleteRunner(input: {
    installationId: number;
    scope: RunnerScope;
    runnerId: number;
  }): Promise<void>;
  listInstallations(): Promise<
    readonly { id: number; account: string; kind: 'org' | 'user'; suspended: boolean }[]
  >;
  getJob(input: {
    installationId: number;
    repo: string;
    jobId: number;
  }): Promise<{ status: string; conclusion: string | null; runnerName: string | null } | undefined>;
  listDeliveries(input: { since: number }): Promise<readonly DeliveryInfo[]>;
  redeliver(deliveryId: number): Promise<void>;
}

export interface DeliveryInfo {
  readonly id: number;
  readonly guid: string;
  readonly deliveredAt: number;
  readonly statusCode: number;
  readonly event: string;
}

export interface ReconcilerOptions {
  readonly ledger: Ledger;
  readonly github: ReconcileGitHub;
  readonly platform: SandboxPlatform;
  readonly controller: {
    wake(): void;
    inFlight(): ReadonlySet<string>;
    watch(runnerName: string, sandboxId: string): void;
  };
  /** Picks the failed deliveries worth sending again (see github-observer.ts). */
  readonly deliveriesToRedeliver: (
    deliveries: readonly DeliveryInfo[],
    alreadyRedelivered: ReadonlySet<string>,
  ) => readonly DeliveryInfo[];
  readonly clock: Clock;
  readonly log: Logger;
  readonly intervalMs: number;
  /** How far back the first delivery check after a start looks. */
  readonly redeliveryLookbackMs: number;
  /** GitHub calls one tick may make at most. */
  readonly apiBudget?: number;
  /** Queued jobs older than this are checked against GitHub. */
  readonly staleJobMs?: number;
  readonly sandboxListLagMs?: number;
  readonly orphanRegistrationMs?: number;
  /** Finished jobs and runners are forgotten after this long. */
  readonly retentionMs?: number;
  readonly managedBy: string;
  readonly metrics?: Metrics;
}

export interface TickReport {
  readonly repairs: Readonly<Record<string, number>>;
  readonly jobsChecked: number;
  readonly jobsClosed: number;
  readonly redelivered: number;
  readonly apiCalls: number;
  readonly skipped: readonly string[];
}

export interface Reconciler {
  /** One reconciliation pass; never throws. */
  tick(): Promise<TickReport>;
  start(): void;
  stop(): Promise<void>;
}

const DELIVERIES_CHECKED_AT = 'deliveries.checkedAt';
const DELIVERY_OVERLAP_MS = 120_000;

/**
 * Periodic observation of GitHub and Modal into the ledger: the ledger plus this loop are the
 * truth, webhooks only hints. Every tick repairs what drifted and wakes the controller.
 */
export function createReconciler(options: ReconcilerOptions): Reconciler {
  const { ledger, github, platform, controller, clock, log } = options;
  const apiBudget = options.apiBudget ?? 100;
  const staleJobMs = options.staleJobMs ?? 120_000;
  const retentionMs = options.retentionMs ?? 7 * 24 * 3600_000;
  const graces = {
    sandboxListLagMs: options.sandboxListLagMs ?? 30_000,
    orphanRegistrationMs: options.orphanRegistrationMs ?? 120_000,
  };
  let orphanSince: ReadonlyMap<string, number> = new Map();
  const redelivered = new Set<string>();
  const lastJobCheck = new Map<number, number>();
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<TickReport> | undefined;
  let stopped = false;

  async function tick(): Promise<TickReport> {
    running ??= runTick().finally(() => {
      running = undefined;
    });
    return running;
  }

  async function runTick(): Promise<TickReport> {
    const now = clock.now();
    let calls = 0;
    const skipped: string[] = [];
    const spend = (what: string): boolean => {
      if (calls >= apiBudget) {
        skipped.push(what);
        return false;
      }
      calls += 1;
      return true;
    };
    const counts: Record<string, number> = {};
    let jobsChecked = 0;
    let jobsClosed = 0;
    let redeliveredNow = 0;

    try {
      const sandboxes = await platform
        .list({ 'managed-by': options.managedBy })
        .catch((error: unknown) => {
          log.warn(
            { err: describe(error) },
            'could not list sandboxes; Modal repairs wait for the next tick',
          );
          return undefined;
        });
      const allRunners = await ledger.listRunners([
        'launching',
        'booting',
        'idle',
        'busy',
        'finishing',
        'done',
        'failed',
      ]);
      const runners = new Map(allRunners.map((r) => [r.name, r]));

      // Scopes to look at: those of our live runners and every organization installation.
      const installationByScope = new Map<string, number>();
      for (const r of allRunners) {
        if (r.state !== 'done' && r.state !== 'failed')
          installationByScope.set(scopeKey(r.scope), r.installationId);
      }
      for (const job of await ledger.listJobs(['queued']))
        installationByScope.set(scopeKey(job.scope), job.installationId);
      if (spend('list installations')) {
        try {
          for (const inst of await github.listInstallations()) {
            if (inst.kind === 'org' && !inst.suspended)
              installationByScope.set(`org:${inst.account}`, inst.id);
          }
        } catch (error) {
          log.warn({ err: describe(error) }, 'could not list installations');
        }
      }
      const registrations = new Map<string, readonly Registration[]>();
      for (const [key, installationId] of installationByScope) {
        const scope = parseScopeKey(key);
        if (!scope || !spend(`list runners of ${key}`)) continue;
        try {
          registrations.set(
            key,
            await github.listRunners({ installationId, scope, namePrefix: RUNNER_NAME_PREFIX }),
          );
        } catch (error) {
          log.warn({ err: describe(error), scope: key }, 'could not list runners');
        }
      }

      const plan = reconcilePlan({
        now,
        runners,
        inFlight: controller.inFlight(),
        sandboxes,
        registrations,
        orphanSince,
        graces,
      });
      orphanSince = plan.orphanSince;
      for (const repair of plan.repairs) {
        counts[repair.kind] = (counts[repair.kind] ?? 0) + 1;
        try {
          await carryOut(repair, installationByScope, spend);
        } catch (error) {
          log.error(
            { err: describe(error), repair: repair.kind },
            'repair failed; will try again next tick',
          );
        }
      }

      // Jobs we still think are queued or waiting: ask GitHub about the ones longest unchecked.
      const stale = (await ledger.listJobs(['queued', 'waiting']))
        .filter((j) => now - (j.queuedAt ?? j.createdAt) >= staleJobMs)
        .sort((a, b) => (lastJobCheck.get(a.id) ?? 0) - (lastJobCheck.get(b.id) ?? 0));
      for (const job of stale) {
        if (!spend(`check job ${job.id}`)) break;
        lastJobCheck.set(job.id, now);
        jobsChecked += 1;
        try {
          if (await refreshJob(job, now)) jobsClosed += 1;
        } catch (error) {
          log.warn({ err: describe(error), jobId: job.id, repo: job.repo }, 'could not check job');
        }
      }
      for (const id of lastJobCheck.keys())
        if (!stale.some((j) => j.id === id)) lastJobCheck.delete(id);

      redeliveredNow = await redeliverFailed(now, spend);
      await ledger.prune(now - retentionMs);
    } catch (error) {
      log.error({ err: describe(error) }, 'reconciliation failed');
    }
    const report: TickReport = {
      repairs: counts,
      jobsChecked,
      jobsClosed,
      redelivered: redeliveredNow,
      apiCalls: calls,
      skipped,
    };
    const changed = Object.keys(counts).length > 0 || jobsClosed > 0 || redeliveredNow > 0;
    (changed ? log.info.bind(log) : log.debug.bind(log))(report, 'reconciled');
    options.metrics?.reconciled(report);
    if (redeliveredNow > 0) options.metrics?.redelivered(redeliveredNow);
    controller.wake();
    return report;
  }

  async function carryOut(
    repair: Repair,
    installationByScope: ReadonlyMap<string, number>,
    spend: (what: string) => boolean,
  ): Promise<void> {
    if (!(await stillAsPlanned(repair))) {
      log.debug({ repair: repair.kind }, 'state moved on since the observation; repair skipped');
      return;
    }
    const at = clock.now();
    const deleteRegistration = async (runner: RunnerRecord) => {
      let runnerId = runner.runnerId;
      if (runnerId === null) {
        if (!spend(`find runner ${runner.name}`)) return;
        runnerId =
          (
            await github.findRunnerByName({
              installationId: runner.installationId,
              scope: runner.scope,
              name: runner.name,
            })
          )?.id ?? null;
      }
      if (runnerId === null || !spend(`delete runner ${runner.name}`)) return;
      try {
        await github.deleteRunner({
          installationId: runner.installationId,
          scope: runner.scope,
          runnerId,
        });
      } catch (error) {
        if ((error as { runnerBusy?: boolean }).runnerBusy !== true) throw error;
      }
    };
    switch (repair.kind) {
      case 'sandbox-gone': {
        const { runner } = repair;
        const tookJob = runner.state === 'busy' || runner.state === 'finishing';
        if (!tookJob) await deleteRegistration(runner);
        await ledger.updateRunner(runner.name, {
          state: tookJob ? 'done' : 'failed',
          ...(tookJob ? {} : { lastError: 'sandbox gone before the runner took a job' }),
          at,
        });
        log.info(
          { runnerName: runner.name, sandboxId: runner.sandboxId },
          'sandbox gone; runner closed',
        );
        return;
      }
      case 'interrupted-launch': {
        const { runner, sandbox } = repair;
        if (sandbox) {
          const tagId = Number(sandbox.tags['runner-id']);
          await ledger.updateRunner(runner.name, {
            state: 'booting',
            sandboxId: sandbox.sandboxId,
            ...(runner.runnerId === null && Number.isInteger(tagId) && tagId > 0
              ? { runnerId: tagId }
              : {}),
            at,
          });
          controller.watch(runner.name, sandbox.sandboxId);
          log.info(
            { runnerName: runner.name, sandboxId: sandbox.sandboxId },
            'interrupted launch had its sandbox; adopted',
          );
        } else {
          await deleteRegistration(runner);
          await ledger.updateRunner(runner.name, {
            state: 'failed',
            lastError: 'launch interrupted (restart); redone',
            at,
          });
          log.info(
            { runnerName: runner.name },
            'interrupted launch cleaned up; its job will get a new runner',
          );
        }
        return;
      }
      case 'runner-status':
        await ledger.updateRunner(repair.runner.name, { state: repair.state, at });
        return;
      case 'adopt-sandbox': {
        const runner = runnerFromTags(
          repair.sandbox.tags,
          repair.sandbox.sandboxId,
          repair.registration,
          at,
        );
        if (!runner) {
          await platform.terminate(repair.sandbox.sandboxId);
          log.warn(
            { sandboxId: repair.sandbox.sandboxId },
            'unknown sandbox with incomplete tags terminated',
          );
          return;
        }
        await ledger.insertRunner(runner);
        controller.watch(runner.name, repair.sandbox.sandboxId);
        log.info(
          { runnerName: runner.name, sandboxId: runner.sandboxId, state: runner.state },
          'adopted a sandbox the ledger did not know',
        );
        return;
      }
      case 'terminate-sandbox':
        await platform.terminate(repair.sandbox.sandboxId);
        log.info(
          {
            sandboxId: repair.sandbox.sandboxId,
            runnerName: repair.sandbox.tags['runner-name'],
            reason: repair.reason,
          },
          'stray sandbox terminated',
        );
        return;
      case 'delete-registration': {
        const scope = parseScopeKey(repair.scopeKey);
        const installationId = installationByScope.get(repair.scopeKey);
        if (
          !scope ||
          installationId === undefined ||
          !spend(`delete runner ${repair.registration.name}`)
        )
          return;
        try {
          await github.deleteRunner({ installationId, scope, runnerId: repair.registration.id });
        } catch (error) {
          if ((error as { runnerBusy?: boolean }).runnerBusy !== true) throw error;
        }
        log.info(
          { runnerName: repair.registration.name, scope: repair.scopeKey, reason: repair.reason },
          'orphaned registration deleted',
        );
        return;
      }
    }
  }

  /**
   * The observation behind a repair can be stale by the time it runs: the controller may have
   * finished a launch or taken a runner in between. A repair about a runner runs only if the
   * runner is still exactly as observed and nothing is acting on it.
   */
  async function stillAsPlanned(repair: Repair): Promise<boolean> {
    const name =
      'runner' in repair
        ? repair.runner.name
        : repair.kind === 'delete-registration'
          ? repair.registration.name
          : repair.sandbox.tags['runner-name'];
    if (name === undefined) return true;
    if (controller.inFlight().has(name)) return false;
    const current = await ledger.getRunner(name);
    if ('runner' in repair) {
      return (
        current?.state === repair.runner.state && current.updatedAt === repair.runner.updatedAt
      );
    }
    // Repairs of things the ledger did not account for: still unaccounted for?
    const live = current !== undefined && current.state !== 'done' && current.state !== 'failed';
    return repair.kind === 'adopt-sandbox' ? current === undefined : !live;
  }

  /** True when GitHub says the job is no longer waiting for a runner. */
  async function refreshJob(job: JobRecord, now: number): Promise<boolean> {
    const seen = await github.getJob({
      installationId: job.installationId,
      repo: job.repo,
      jobId: job.id,
    });
    const status: JobStatus = seen === undefined ? 'completed' : toJobStatus(seen.status);
    if (JOB_STATUS_ORDER[status] <= JOB_STATUS_ORDER[job.status]) return false;
    await recordJobEvent(ledger, {
      ...job,
      status,
      conclusion: seen?.conclusion ?? (seen === undefined ? 'missing' : null),
      runnerName: seen?.runnerName ?? null,
      at: now,
    });
    log.info({ jobId: job.id, repo: job.repo, status }, 'job state caught up from GitHub');
    return status === 'completed' || status === 'in_progress';
  }

  async function redeliverFailed(now: number, spend: (what: string) => boolean): Promise<number> {
    const stored = await ledger.getMeta(DELIVERIES_CHECKED_AT);
    const since = stored === undefined ? now - options.redeliveryLookbackMs : Number(stored);
    if (!spend('list deliveries')) return 0;
    let deliveries: readonly DeliveryInfo[];
    try {
      deliveries = await github.listDeliveries({ since });
    } catch (error) {
      log.warn({ err: describe(error) }, 'could not list webhook deliveries');
      return 0;
    }
    let count = 0;
    let complete = true;
    for (const delivery of options.deliveriesToRedeliver(deliveries, redelivered)) {
      if (!spend(`redeliver ${delivery.id}`)) {
        complete = false;
        break;
      }
      try {
        await github.redeliver(delivery.id);
        redelivered.add(delivery.guid);
        count += 1;
      } catch (error) {
        complete = false;
        log.warn({ err: describe(error), deliveryId: delivery.id }, 'redelivery failed');
      }
    }
    if (count > 0) log.info({ count }, 'failed webhook deliveries redelivered');
    // Overlap the next window a little: deliveries still in flight now may fail later.
    if (complete) await ledger.setMeta(DELIVERIES_CHECKED_AT, String(now - DELIVERY_OVERLAP_MS));
    if (redelivered.size > 10_000) redelivered.clear();
    return count;
  }

  return {
    tick,
    start() {
      if (timer || stopped) return;
      void tick();
      timer = setInterval(() => void tick(), options.intervalMs);
      timer.unref();
    },
    async stop() {
      stopped = true;
      if (timer) clearInterval(timer);
      timer = undefined;
      await running;
    },
  };
}

function toJobStatus(status: string): JobStatus {
  if (status === 'queued' || status === 'in_progress' || status === 'completed') return status;
  if (status === 'waiting' || status === 'pending' || status === 'requested') return 'waiting';
  return 'completed';
}

function runnerFromTags(
  tags: Readonly<Record<string, string>>,
  sandboxId: string,
  registration: Registration | undefined,
  at: number,
): RunnerRecord | undefined {
  const name = tags['runner-name'];
  const runnerClass = tags['runner-class'];
  const scope = tags.scope ? parseScopeKey(tags.scope) : undefined;
  const installationId = Number(tags['installation-id']);
  if (!name || !runnerClass || !scope || !Number.isInteger(installationId) || installationId <= 0)
    return undefined;
  const jobId = Number(tags['job-id']);
  return {
    name,
    runnerId: registration?.id ?? (Number(tags['runner-id']) || null),
    sandboxId,
    runnerClass,
    scope,
    installationId,
    state: registration?.busy ? 'busy' : registration?.status === 'online' ? 'idle' : 'booting',
    launchedForJobId: Number.isInteger(jobId) && jobId > 0 ? jobId : null,
    tookJobId: null,
    createdAt: at,
    updatedAt: at,
    lastError: null,
  };
}
