import { expect } from '@jest/globals';
import type { Timings } from '../../src/config/timings.js';
import type { Ledger } from '../../src/ledger/ledger.js';
import type { Harness } from '../../sim/harness.js';
import { eventually } from '../../sim/harness.js';
import type { FakeJob } from '../../sim/fake-github.js';
import { workflowJobPayload } from '../../sim/webhooks.js';

export interface Burst {
  readonly jobs: number;
  readonly repos?: readonly string[];
  /** Fraction of `queued` deliveries lost on the way (GitHub never retries them itself). */
  readonly dropRate?: number;
  /** Deterministic pseudo-random source. */
  readonly random: () => number;
  readonly firstId?: number;
}

/** A small deterministic PRNG (mulberry32), so scenarios replay the same way. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Queues jobs at the fake GitHub and delivers (or drops) their `queued` webhooks. */
export async function queueBurst(
  h: Pick<Harness, 'github'>,
  burst: Burst,
): Promise<{ jobs: FakeJob[]; dropped: number }> {
  const repos = burst.repos ?? ['acme/api', 'acme/web', 'acme/infra'];
  const jobs: FakeJob[] = [];
  let dropped = 0;
  const sends: Promise<unknown>[] = [];
  const first = burst.firstId ?? 1;
  for (let i = 0; i < burst.jobs; i++) {
    const id = first + i;
    const repo = repos[i % repos.length] as string;
    jobs.push(h.github.addJob({ id, runId: id * 10, repo, labels: ['self-hosted', 'modal'] }));
    const drop = burst.random() < (burst.dropRate ?? 0);
    if (drop) dropped += 1;
    sends.push(
      h.github.deliver('workflow_job', workflowJobPayload({ id, runId: id * 10, repo }), { drop }),
    );
  }
  await Promise.all(sends);
  return { jobs, dropped };
}

export interface World {
  readonly github: Harness['github'];
  readonly modal: Harness['modal'];
  /** The server's ledger, or a reader of it; omitted when nothing can read it. */
  readonly ledger?: Pick<Ledger, 'listJobs'>;
}

/** The end state every scenario must reach: nothing left anywhere, caps held throughout. */
export async function expectConverged(
  world: World | Harness,
  options: { maxRunners: number; timeoutMs?: number },
): Promise<void> {
  const h: World =
    'server' in world
      ? {
          github: world.github,
          modal: world.modal,
          ledger: world.server.ledger,
        }
      : world;
  const timeoutMs = options.timeoutMs ?? 60_000;
  const unfinished = () => [...h.github.jobs.values()].filter((j) => j.status !== 'completed');
  await eventually(
    () => unfinished().length === 0,
    () =>
      `jobs not completed: ${unfinished().length} (${unfinished()
        .slice(0, 5)
        .map((j) => `${j.id}:${j.status}`)
        .join(', ')})`,
    timeoutMs,
  );
  await eventually(
    () => h.modal.liveCount() === 0 && h.github.runners.size === 0,
    () =>
      `left behind: ${h.modal.liveCount()} sandboxes, ${h.github.runners.size} registrations (${[...h.github.runners.values()].map((r) => `${r.name}:${r.status}${r.busy ? ':busy' : ''}`).join(', ')})`,
    timeoutMs,
  );
  const { ledger } = h;
  if (ledger)
    await eventually(
      async () => (await ledger.listJobs(['queued', 'in_progress', 'waiting'])).length === 0,
      'the ledger still has open jobs',
      timeoutMs,
    );
  expect(h.modal.maxLiveCount).toBeLessThanOrEqual(options.maxRunners);
}

/** Short timings so that whole scenarios run in seconds. */
export const FAST: Partial<Timings> = {
  retryPolicy: { attempts: 6, baseDelayMs: 50, maxDelayMs: 400 },
  launchBackoff: { baseDelayMs: 100, maxDelayMs: 1000 },
  idleGraceMs: 300,
  reconcileIntervalMs: 250,
  exitWatchIntervalMs: 100,
  exitWatchLagMs: 50,
  staleJobMs: 500,
  staleJobRecheckMs: 500,
  sandboxListLagMs: 300,
  orphanRegistrationMs: 500,
  reconcileApiBudget: 500,
};
