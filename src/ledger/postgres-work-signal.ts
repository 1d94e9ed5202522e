import { createHash } from 'node:crypto';
import pg from 'pg';
import type { Logger } from 'pino';
import { errorFields } from '../domain/error-fields.js';
import type { WorkSignal } from '../ports/leadership.js';
import type { PostgresConnection } from './postgres-connection.js';

const RECONNECT_MIN_MS = 500;
const RECONNECT_MAX_MS = 10_000;

/** LISTEN/NOTIFY channels are per database; the schema's hash keeps deployments apart. */
export function signalChannels(schema: string): { work: string; lease: string } {
  const tag = createHash('sha256').update(schema).digest('hex').slice(0, 16);
  return { work: `modal_runner_work_${tag}`, lease: `modal_runner_lease_${tag}` };
}

/**
 * Work and lease signals between replicas over PostgreSQL's LISTEN/NOTIFY. A follower that
 * recorded a job notifies (coalesced: one NOTIFY in flight, one more after it when asked
 * meanwhile); the leader listens on a dedicated connection and wakes its controller. The
 * listening connection reconnects by itself, and a reconnect counts as a signal, since
 * notifications sent while it was down are lost.
 */
export function createPostgresWorkSignal(db: PostgresConnection, log: Logger): WorkSignal {
  const channels = signalChannels(db.schema);
  const work = new Set<() => void>();
  const released = new Set<() => void>();
  let client: pg.Client | undefined;
  let connecting: Promise<void> | undefined;
  let closed = false;
  let retryMs = RECONNECT_MIN_MS;
  let retryTimer: NodeJS.Timeout | undefined;
  let notifying = false;
  let notifyAgain = false;

  const fire = (set: Set<() => void>) => {
    for (const listener of [...set]) listener();
  };

  function reconnectLater(error: unknown): void {
    client = undefined;
    if (closed || retryTimer !== undefined) return;
    log.warn(
      { err: errorFields(error), retryInMs: retryMs },
      'lost the database connection that listens for new work; reconnecting',
    );
    retryTimer = setTimeout(() => {
      retryTimer = undefined;
      void listen();
    }, retryMs);
    retryTimer.unref();
    retryMs = Math.min(RECONNECT_MAX_MS, retryMs * 2);
  }

  function listen(): Promise<void> {
    if (closed || client !== undefined) return Promise.resolve();
    connecting ??= (async () => {
      const c = new pg.Client(db.clientConfig);
      c.on('notification', (message) => {
        if (message.channel === channels.work) fire(work);
        else if (message.channel === channels.lease) fire(released);
      });
      c.on('error', (error) => {
        if (client === c) reconnectLater(error);
      });
      c.on('end', () => {
        if (client === c) reconnectLater(new Error('connection ended'));
      });
      try {
        await c.connect();
        await c.query(`LISTEN ${channels.work}`);
        await c.query(`LISTEN ${channels.lease}`);
        if (closed) {
          await c.end();
          return;
        }
        const reconnected = retryMs > RECONNECT_MIN_MS;
        client = c;
        retryMs = RECONNECT_MIN_MS;
        if (reconnected) {
          log.info('listening for new work again');
          fire(work);
          fire(released);
        }
      } catch (error) {
        c.end().catch(() => {});
        reconnectLater(error);
      }
    })().finally(() => {
      connecting = undefined;
    });
    return connecting;
  }

  const subscribe = (set: Set<() => void>, listener: () => void) => {
    set.add(listener);
    void listen();
    return () => {
      set.delete(listener);
    };
  };

  function notify(): void {
    if (closed) return;
    if (notifying) {
      notifyAgain = true;
      return;
    }
    notifying = true;
    db.query('SELECT pg_notify($1, $2)', [channels.work, ''])
      .catch((error: unknown) =>
        log.warn({ err: errorFields(error) }, 'could not signal new work to the leader'),
      )
      .finally(() => {
        notifying = false;
        if (notifyAgain) {
          notifyAgain = false;
          notify();
        }
      });
  }

  return {
    notify,
    onWork: (listener) => subscribe(work, listener),
    async notifyLeaseReleased() {
      await db
        .query('SELECT pg_notify($1, $2)', [channels.lease, ''])
        .catch((error: unknown) =>
          log.warn({ err: errorFields(error) }, 'could not signal that the lease was given up'),
        );
    },
    onLeaseReleased: (listener) => subscribe(released, listener),
    async close() {
      closed = true;
      clearTimeout(retryTimer);
      await connecting;
      const c = client;
      client = undefined;
      await c?.end().catch(() => {});
    },
  };
}
