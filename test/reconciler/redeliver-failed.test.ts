import { describe, expect, it } from '@jest/globals';
import {
  deliveriesToRedeliver,
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
