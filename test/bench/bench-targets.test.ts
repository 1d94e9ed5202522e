import { describe, expect, it } from '@jest/globals';
import { targetRows, verdict, type RepeatResult } from '../../bench/bench-targets.js';
import type { FloorResult } from '../../bench/measure-floor.js';
import { median } from '../../bench/median.js';
import type { BurstRunResult } from '../../bench/run-burst.js';
import type { ExitWatchResult } from '../../bench/run-exit-watch.js';
import { summarize, type Summary } from '../../bench/summarize.js';

const at = (p50: number, p99: number): Summary => ({ n: 100, p50, p99, max: p99, mean: p50 });

interface Figures {
  readonly msPerWebhook: number;
  readonly p50: number;
  readonly p99: number;
  /** Dispatch overhead p99 (ours) or the dispatch floor's p99. */
  readonly dispatchP99?: number;
}

function burst(
  concurrency: number,
  f: Figures,
  extra: Partial<BurstRunResult> = {},
): BurstRunResult {
  const launch = {
    launches: 1000,
    sequential: 0,
    concurrent: 1000,
    createOverhead: at(10, f.dispatchP99 ?? 20),
    createOverheadServer: at(5, 10),
    createTransit: at(5, 10),
    createOverheadFirst: at(5, 10),
    createOverheadQueued: at(5, 10),
    configOverhead: at(5, 10),
    configOverheadFirst: at(5, 10),
    createLatency: at(5, 10),
    configLatency: at(5, 10),
    toMint: at(5, 10),
    mintToCreate: at(5, 10),
    throughputPerSecond: 33,
  };
  return {
    options: {
      label: `c${concurrency}`,
      jobs: 10_000,
      concurrency,
      githubLatencyMs: 100,
      modalLatencyMs: 400,
      maxConcurrentLaunches: 16,
      maxRunners: 1000,
      jitRatePerSecond: 100,
      timings: {},
      privateKey: 'key',
      webhookSecret: 'secret',
    },
    answer: at(f.p50, f.p99),
    answerDuringLaunches: at(f.p50, f.p99),
    answerAfterLaunches: at(f.p50, f.p99),
    fdatasyncDuringBurst: at(1, 2),
    burstMs: f.msPerWebhook * 10_000,
    msPerWebhook: f.msPerWebhook,
    convergedMs: 31_000,
    expectedSandboxes: 1000,
    launch,
    startRssMb: 100,
    peakRssMb: 150,
    rssMb: 140,
    heapUsedMb: 60,
    externalMb: 5,
    cpuMsPerJob: 1,
    ...extra,
  };
}

function floor(server: FloorResult['server'], concurrency: number, f: Figures): FloorResult {
  return {
    server,
    concurrency,
    answer: at(f.p50, f.p99),
    msPerWebhook: f.msPerWebhook,
    fdatasyncDuringBurst: at(1, 2),
    ...(f.dispatchP99 === undefined ? {} : { dispatch: at(5, f.dispatchP99) }),
  };
}

function exitWatch(listPerMinute: number, freedMax: number): ExitWatchResult {
  const window = {
    windowMs: 60_000,
    byMethod: {},
    total: listPerMinute,
    perMinute: listPerMinute,
    listPerMinute,
  };
  return {
    runners: 1000,
    exits: 100,
    intervalMs: 10_000,
    idle: window,
    busy: window,
    freed: { ...at(5_000, freedMax), max: freedMax },
    reused: at(5_100, 10_300),
  };
}

/** One repeat at 32 connections: ours against the empty Probot app and the dispatch floor. */
function repeat(
  ours: Figures,
  probot: Figures,
  listPerMinute = 72,
  freedMax = 9_900,
): RepeatResult {
  return {
    bursts: [burst(32, ours)],
    floor: [
      floor('probot', 32, probot),
      floor('probot-dispatch', 32, { ...probot, dispatchP99: probot.dispatchP99 ?? 20 }),
    ],
    plan: {
      jobs: 10_000,
      runners: 1_000,
      runs: 200,
      plan: at(3, 5),
      launches: 0,
      waiting: 9_000,
      ledgerRead: at(1, 2),
    },
    fdatasync: at(0.5, 6),
    exitWatch: exitWatch(listPerMinute, freedMax),
    loadAverage: [1, 1],
  };
}

const row = (repeats: RepeatResult[], start: string) => {
  const found = targetRows(repeats).find((t) => t.name.startsWith(start));
  if (!found) throw new Error(`no target row starting "${start}"`);
  return found;
};

describe('median', () => {
  it('takes the middle value, or the mean of the middle two, ignoring NaN', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([NaN, 5])).toBe(5);
    expect(median([])).toBeNaN();
  });
});

describe('targetRows', () => {
  const probot = { msPerWebhook: 1, p50: 10, p99: 100, dispatchP99: 20 };

  it('judges time per webhook on the median of the repeats, so one slow repeat does not decide', () => {
    const repeats = [
      repeat({ msPerWebhook: 1.2, p50: 12, p99: 120 }, probot),
      repeat({ msPerWebhook: 2.5, p50: 12, p99: 120 }, probot),
      repeat({ msPerWebhook: 1.25, p50: 12, p99: 120 }, probot),
    ];
    const t = row(repeats, '32 connections: time per webhook');
    expect(t.ratio).toBe('1.25× (≤ 1.3×)');
    expect(t.perRun).toBe('1.20×, 2.50×, 1.25×');
    expect(verdict(t)).toBe('PASS');
  });

  it('misses a ratio above its limit and says by how much', () => {
    const t = row(
      [repeat({ msPerWebhook: 1, p50: 12, p99: 140 }, probot)],
      '32 connections: answer p99',
    );
    expect(t.ratio).toBe('1.40× (≤ 1.3×)');
    expect(verdict(t)).toBe('MISS');
  });

  it('allows the dispatch overhead the floor plus 5 ms, not more', () => {
    const within = row(
      [repeat({ msPerWebhook: 1, p50: 1, p99: 1, dispatchP99: 25 }, probot)],
      'dispatch overhead',
    );
    const over = row(
      [repeat({ msPerWebhook: 1, p50: 1, p99: 1, dispatchP99: 25.5 }, probot)],
      'dispatch overhead',
    );
    expect(verdict(within)).toBe('PASS');
    expect(verdict(over)).toBe('MISS');
    expect(over.ratio).toBe('+5.50 ms (≤ +5 ms)');
  });

  it('bounds exit watching by one listing per interval of each listing loop, whatever the fleet', () => {
    const ours = { msPerWebhook: 1, p50: 1, p99: 1 };
    // 1,001 sandboxes: 11 pages and the empty one that ends a listing; 6 exit-watch listings a
    // minute +1, and the job-records loop's one a minute +1: 9 listings of 12 pages.
    expect(verdict(row([repeat(ours, probot, 108)], 'exit watching, 1,000 idle'))).toBe('PASS');
    expect(verdict(row([repeat(ours, probot, 109)], 'exit watching, 1,000 idle'))).toBe('MISS');
  });

  it('wants an exit found within one interval and the listing time', () => {
    const ours = { msPerWebhook: 1, p50: 1, p99: 1 };
    expect(verdict(row([repeat(ours, probot, 72, 10_050)], 'sandbox exit'))).toBe('PASS');
    expect(verdict(row([repeat(ours, probot, 72, 10_400)], 'sandbox exit'))).toBe('MISS');
  });

  it('leaves a target unmeasured when its floor did not run', () => {
    const r = repeat({ msPerWebhook: 1, p50: 1, p99: 1 }, probot);
    const t = row([{ ...r, floor: [] }], '32 connections: time per webhook');
    expect(verdict(t)).toBe('not measured');
    expect(summarize([]).n).toBe(0);
  });
});
