import { describe, expect, it } from '@jest/globals';
import { pino } from 'pino';
import { createMemoryLedger } from '../../src/ledger/memory-ledger.js';
import type { DeliveryInfo, ReconcileGitHub } from '../../src/ports/reconcile-github.js';
import { createApiBudget } from '../../src/reconciler/api-budget.js';
import {
  emptyReconcilerMemory,
  type ReconcilerContext,
} from '../../src/reconciler/reconciler-context.js';
import {
  deliveriesToRedeliver,
  redeliverFailed,
  type DeliveryAttempt,
} from '../../src/reconciler/redeliver-failed.js';

const T0 = Date.parse('2024-05-01T12:00:00Z');

describe('deliveriesToRedeliver', () => {
  type Row = DeliveryAttempt & { readonly id: number };
  /** A workflow_job delivery attempt at minute `at`. */
  const d = (id: number, guid: string, statusCode: number, at: number, event = 'workflow_job') =>
    ({ id, guid, statusCode, deliveredAt: T0 + at * 60_000, event }) satisfies Row;

  const table: [string, Row[], string[], number[]][] = [
    ['nothing delivered', [], [], []],
    ['a success', [d(1, 'a', 200, 0)], [], []],
    ['a 502 failure', [d(1, 'a', 502, 0)], [], [1]],
    ['status 0 (timeout, no answer) counts as failed', [d(1, 'a', 0, 0)], [], [1]],
    [
      'failed, then succeeded on redelivery: nothing',
      // Newest first, as GitHub lists them.
      [d(2, 'a', 202, 5), d(1, 'a', 503, 0)],
      [],
      [],
    ],
    [
      'succeeded, then a manual redelivery failed: handled already, nothing',
      [d(2, 'a', 0, 5), d(1, 'a', 200, 0)],
      [],
      [],
    ],
    [
      'failed twice: once, the newest failed attempt',
      [d(2, 'a', 0, 5), d(1, 'a', 500, 0)],
      [],
      [2],
    ],
    [
      'failed twice, listed oldest first: still the newest attempt',
      [d(1, 'a', 500, 0), d(2, 'a', 0, 5)],
      [],
      [2],
    ],
    ['other events are ignored', [d(1, 'a', 502, 0, 'push'), d(2, 'b', 0, 1, 'ping')], [], []],
    [
      'a success of another event does not hide a failed workflow_job',
      [d(2, 'a', 200, 1, 'push'), d(1, 'a', 502, 0)],
      [],
      [1],
    ],
    ['already redelivered guids are ignored', [d(1, 'a', 502, 0), d(2, 'b', 502, 1)], ['a'], [2]],
    [
      '3xx and 4xx fail; 2xx succeed',
      [
        d(1, 'a', 301, 0),
        d(2, 'b', 404, 1),
        d(3, 'c', 299, 2),
        d(4, 'd', 300, 3),
        d(5, 'e', 199, 4),
      ],
      [],
      [1, 2, 4, 5],
    ],
    [
      'several guids: oldest first, one each',
      [d(5, 'c', 0, 9), d(4, 'a', 502, 8), d(3, 'b', 502, 7), d(2, 'b', 502, 3), d(1, 'a', 502, 1)],
      [],
      [3, 4, 5],
    ],
  ];

  it.each(table)('%s', (_name, deliveries, already, expected) => {
    const before = JSON.stringify(deliveries);

    const result = deliveriesToRedeliver(deliveries, {
      event: 'workflow_job',
      alreadyRedelivered: new Set(already),
    });

    expect(result.map((r) => r.id)).toEqual(expected);
    // The entries themselves, so the caller has the delivery id to redeliver.
    for (const entry of result) expect(deliveries).toContain(entry);
    expect(JSON.stringify(deliveries)).toBe(before);
  });
});

describe('redeliverFailed: a sweep across ticks within the API budget', () => {
  const HOUR = 3_600_000;
  const NOW = Date.parse('2024-05-01T12:00:00Z');

  /** GitHub's deliveries, newest first, in pages of 100 with opaque cursors. */
  function deliveriesApi(deliveries: DeliveryInfo[]) {
    const newestFirst = [...deliveries].sort((a, b) => b.deliveredAt - a.deliveredAt);
    const redelivered: number[] = [];
    let pagesRead = 0;
    const github: Pick<ReconcileGitHub, 'listDeliveryPage' | 'redeliver'> = {
      async listDeliveryPage({ cursor }) {
        pagesRead += 1;
        const start = cursor === undefined ? 0 : Number(cursor.replace('c', ''));
        const page = newestFirst.slice(start, start + 100);
        const next = start + 100 < newestFirst.length ? `c${start + 100}` : undefined;
        return { deliveries: page, nextCursor: next };
      },
      async redeliver(id) {
        redelivered.push(id);
      },
    };
    return { github, redelivered, pagesRead: () => pagesRead };
  }

  function context(github: Pick<ReconcileGitHub, 'listDeliveryPage' | 'redeliver'>) {
    const ledger = createMemoryLedger();
    const ctx = {
      ledger,
      github: github as ReconcileGitHub,
      log: pino({ level: 'silent' }),
      settings: { redeliveryLookbackMs: 6 * HOUR },
      memory: emptyReconcilerMemory(),
    } as unknown as ReconcilerContext;
    return { ctx, ledger };
  }

  const delivery = (id: number, minutesAgo: number, statusCode: number, guid = `g${id}`) => ({
    id,
    guid,
    deliveredAt: NOW - minutesAgo * 60_000,
    statusCode,
    event: 'workflow_job',
  });

  it('5,000 deliveries, the failed ones at the oldest end: all redelivered over several ticks', async () => {
    // 4,950 delivered fine in the last 5 hours; 50 failed `queued` deliveries before them.
    const all = [
      ...Array.from({ length: 4_950 }, (_, i) => delivery(i + 1, i * 0.05, 200)),
      ...Array.from({ length: 50 }, (_, i) => delivery(10_000 + i, 250 + i, 502)),
    ];
    const api = deliveriesApi(all);
    const { ctx, ledger } = context(api.github);
    const ticks: number[] = [];
    for (let tick = 0; tick < 10; tick++) {
      const before = await ledger.getMeta('deliveries.checkedAt');
      ticks.push(await redeliverFailed(ctx, createApiBudget(20), NOW + tick * 60_000));
      if ((await ledger.getMeta('deliveries.checkedAt')) !== before) break;
      // The checkpoint does not move while pages remain unread.
      expect(await ledger.getMeta('deliveries.checkedAt')).toBeUndefined();
    }
    expect(api.redelivered.sort((a, b) => a - b)).toEqual(
      Array.from({ length: 50 }, (_, i) => 10_000 + i),
    );
    // 50 pages and 50 redeliveries at 20 calls a tick: 40 pages in the first two ticks, the
    // last 10 and 10 redeliveries in the third, then the last page read again in each of the
    // three ticks that finish its redeliveries (19, 19 and 2).
    expect(ticks).toEqual([0, 0, 10, 19, 19, 2]);
    expect(api.pagesRead()).toBe(50 + 3);
    // The next sweep starts where this one began (less the overlap), not at its end.
    expect(Number(await ledger.getMeta('deliveries.checkedAt'))).toBe(NOW - 120_000);
  });

  it('stops at the first page that reaches the checkpoint; a delivery made at it is kept', async () => {
    const all = [
      // Page 1: the 100 newest, all delivered.
      ...Array.from({ length: 100 }, (_, i) => delivery(i + 1, i * 0.01, 200)),
      // Page 2: two failures in the window (one exactly at the checkpoint), one just before it.
      delivery(201, 3, 502),
      delivery(202, 10, 503),
      delivery(203, 11, 0),
      // Older still: the rest of page 2 and a page 3, which must not be read.
      ...Array.from({ length: 150 }, (_, i) => delivery(300 + i, 12 + i, 500)),
    ];
    const api = deliveriesApi(all);
    const { ctx, ledger } = context(api.github);
    await ledger.setMeta('deliveries.checkedAt', String(NOW - 10 * 60_000));

    expect(await redeliverFailed(ctx, createApiBudget(20), NOW)).toBe(2);

    expect(api.pagesRead()).toBe(2);
    // Oldest first: the one at the checkpoint, then the newer one.
    expect(api.redelivered).toEqual([202, 201]);
    expect(Number(await ledger.getMeta('deliveries.checkedAt'))).toBe(NOW - 120_000);
  });

  it('a failure a later attempt delivered is not sent again, even when the success is pages away', async () => {
    const all = [
      delivery(1, 1, 200, 'same'), // the redelivery that worked, newest
      ...Array.from({ length: 250 }, (_, i) => delivery(100 + i, 2 + i * 0.1, 200)),
      delivery(2, 100, 502, 'same'), // the original failure, three pages older
      delivery(3, 101, 0, 'lost'),
    ];
    const api = deliveriesApi(all);
    const { ctx } = context(api.github);
    await redeliverFailed(ctx, createApiBudget(2), NOW);
    await redeliverFailed(ctx, createApiBudget(2), NOW + 60_000);
    expect(api.redelivered).toEqual([3]);
  });

  it('a redelivery that fails keeps the sweep at that page; the next tick finishes it', async () => {
    const all = [delivery(1, 1, 502), delivery(2, 2, 502)];
    const api = deliveriesApi(all);
    let failOnce = true;
    const github = {
      ...api.github,
      async redeliver(id: number) {
        if (id === 1 && failOnce) {
          failOnce = false;
          throw new Error('GitHub said 500');
        }
        await api.github.redeliver(id);
      },
    };
    const { ctx, ledger } = context(github);
    expect(await redeliverFailed(ctx, createApiBudget(10), NOW)).toBe(1);
    expect(await ledger.getMeta('deliveries.checkedAt')).toBeUndefined();
    expect(await redeliverFailed(ctx, createApiBudget(10), NOW + 60_000)).toBe(1);
    expect(api.redelivered.sort()).toEqual([1, 2]);
    expect(await ledger.getMeta('deliveries.checkedAt')).toBeDefined();
  });
});
