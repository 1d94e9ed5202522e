import type { LeaseState, LeaseStore } from '../ports/leadership.js';
import type { PostgresConnection } from './postgres-connection.js';

export interface LeaseRow {
  readonly holder: string;
  readonly epoch: number;
  /** Milliseconds the lease has left by the database's clock (negative: expired). */
  readonly remainingMs: number;
}

/**
 * The leader lease as one row of `leader_lease`, with its expiry kept by the database's clock
 * (replicas' clocks never meet). A new holder raises the epoch that fenced writes name.
 */
export function createPostgresLeaseStore(db: PostgresConnection): LeaseStore {
  const { query } = db;
  return {
    async tryAcquire(holder, ttlMs): Promise<LeaseState> {
      // Look before taking: followers poll, and only an expired lease is worth a row lock.
      const current = await readLease(db);
      if (current !== undefined && current.remainingMs > 0) {
        return { acquired: false, holder: current.holder, epoch: current.epoch };
      }
      const [taken] = await query<{ epoch: number; holder: string }>(
        `INSERT INTO leader_lease AS l (id, epoch, holder, acquired_at, expires_at)
         VALUES (1, 1, $1, now(), now() + $2 * interval '1 millisecond')
         ON CONFLICT (id) DO UPDATE
           SET epoch = l.epoch + 1, holder = EXCLUDED.holder, acquired_at = now(), expires_at = EXCLUDED.expires_at
           WHERE l.expires_at <= now()
         RETURNING epoch, holder`,
        [holder, ttlMs],
      );
      if (taken) return { acquired: true, holder: taken.holder, epoch: taken.epoch };
      // Another replica took it between the look and the take.
      const winner = await readLease(db);
      return {
        acquired: false,
        holder: winner && winner.remainingMs > 0 ? winner.holder : null,
        epoch: winner?.epoch ?? null,
      };
    },
    async renew(holder, epoch, ttlMs) {
      const rows = await query(
        `UPDATE leader_lease SET expires_at = now() + $3 * interval '1 millisecond'
         WHERE id = 1 AND holder = $1 AND epoch = $2 AND expires_at > now() RETURNING 1`,
        [holder, epoch, ttlMs],
      );
      return rows.length === 1;
    },
    async release(holder, epoch) {
      await query(
        'UPDATE leader_lease SET expires_at = now() WHERE id = 1 AND holder = $1 AND epoch = $2',
        [holder, epoch],
      );
    },
  };
}

/** The lease row as it stands, or undefined when no replica ever led. */
export async function readLease(db: PostgresConnection): Promise<LeaseRow | undefined> {
  const [row] = await db.query<{ holder: string; epoch: number; remaining_ms: number }>(
    `SELECT holder, epoch, (EXTRACT(EPOCH FROM (expires_at - now())) * 1000)::float8 AS remaining_ms
     FROM leader_lease WHERE id = 1`,
  );
  return row ? { holder: row.holder, epoch: row.epoch, remainingMs: row.remaining_ms } : undefined;
}
