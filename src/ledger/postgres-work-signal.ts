import { createHash } from 'node:crypto';
import type { Logger } from 'pino';
import { errorFields } from '../domain/error-fields.js';
import type { WorkSignal } from '../ports/leadership.js';
import { coalescedNotify } from './coalesced-notify.js';
import type { PostgresConnection } from './postgres-connection.js';
import { createSignalListener } from './signal-listener.js';

/** LISTEN/NOTIFY channels are per database; the schema's hash keeps deployments apart. */
export function signalChannels(schema: string): { work: string; lease: string } {
  const tag = createHash('sha256').update(schema).digest('hex').slice(0, 16);
  return { work: `modal_runner_work_${tag}`, lease: `modal_runner_lease_${tag}` };
}

/**
 * Work and lease signals between replicas over PostgreSQL's LISTEN/NOTIFY. A follower that
 * recorded a job notifies (coalesced: one NOTIFY in flight, one more after it when asked
 * meanwhile); the leader listens on a dedicated connection (`signal-listener.ts`) and wakes its
 * controller. The listening connection reconnects by itself, and a reconnect counts as a
 * signal, since notifications sent while it was down are lost.
 */
export function createPostgresWorkSignal(db: PostgresConnection, log: Logger): WorkSignal {
  const channels = signalChannels(db.schema);
  const work = new Set<() => void>();
  const released = new Set<() => void>();
  let closed = false;
  const fire = (set: Set<() => void>) => {
    for (const listener of [...set]) listener();
  };
  const connection = createSignalListener({
    db,
    channels: [channels.work, channels.lease],
    log,
    onNotification(channel) {
      if (channel === channels.work) fire(work);
      else if (channel === channels.lease) fire(released);
    },
    onReconnected() {
      fire(work);
      fire(released);
    },
  });
  const subscribe = (set: Set<() => void>, listener: () => void) => {
    set.add(listener);
    void connection.listen();
    return () => {
      set.delete(listener);
    };
  };
  const send = (channel: string) => db.query('SELECT pg_notify($1, $2)', [channel, '']);
  const notifyWork = coalescedNotify(
    // Closed while a NOTIFY was in flight: the one asked for meanwhile is not sent.
    async () => (closed ? undefined : send(channels.work)),
    (error) => log.warn({ err: errorFields(error) }, 'could not signal new work to the leader'),
  );
  return {
    notify: () => {
      if (!closed) notifyWork();
    },
    onWork: (l) => subscribe(work, l),
    async notifyLeaseReleased() {
      await send(channels.lease).catch((error: unknown) =>
        log.warn({ err: errorFields(error) }, 'could not signal that the lease was given up'),
      );
    },
    onLeaseReleased: (l) => subscribe(released, l),
    async close() {
      closed = true;
      await connection.close();
    },
  };
}
