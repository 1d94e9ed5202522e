import pg from 'pg';
import type { Logger } from 'pino';
import { errorFields } from '../domain/error-fields.js';
import type { PostgresConnection } from './postgres-connection.js';

const RECONNECT_MIN_MS = 500;
const RECONNECT_MAX_MS = 10_000;

export interface SignalListener {
  /** Connects and listens, unless it does already (or is connecting, or closed). */
  listen(): Promise<void>;
  close(): Promise<void>;
}

export interface SignalListenerDeps {
  readonly db: Pick<PostgresConnection, 'clientConfig'>;
  readonly channels: readonly string[];
  readonly log: Logger;
  /** Told each notification's channel. */
  readonly onNotification: (channel: string) => void;
  /** Told when it listens again after losing its connection (notifications meanwhile are lost). */
  readonly onReconnected: () => void;
}

interface ListenerContext extends SignalListenerDeps {
  client: pg.Client | undefined;
  connecting: Promise<void> | undefined;
  closed: boolean;
  retryMs: number;
  retryTimer: NodeJS.Timeout | undefined;
}

/**
 * LISTEN on a dedicated connection of its own, which reconnects by itself with a backoff from
 * RECONNECT_MIN_MS to RECONNECT_MAX_MS.
 */
export function createSignalListener(deps: SignalListenerDeps): SignalListener {
  const ctx: ListenerContext = {
    ...deps,
    client: undefined,
    connecting: undefined,
    closed: false,
    retryMs: RECONNECT_MIN_MS,
    retryTimer: undefined,
  };
  return {
    listen: () => listen(ctx),
    async close() {
      ctx.closed = true;
      clearTimeout(ctx.retryTimer);
      await ctx.connecting;
      const c = ctx.client;
      ctx.client = undefined;
      await c?.end().catch(() => {});
    },
  };
}

function listen(ctx: ListenerContext): Promise<void> {
  if (ctx.closed || ctx.client !== undefined) return Promise.resolve();
  ctx.connecting ??= connect(ctx).finally(() => {
    ctx.connecting = undefined;
  });
  return ctx.connecting;
}

async function connect(ctx: ListenerContext): Promise<void> {
  const c = new pg.Client(ctx.db.clientConfig);
  c.on('notification', (message) => ctx.onNotification(message.channel));
  c.on('error', (error) => {
    if (ctx.client === c) reconnectLater(ctx, error);
  });
  c.on('end', () => {
    if (ctx.client === c) reconnectLater(ctx, new Error('connection ended'));
  });
  try {
    await c.connect();
    for (const channel of ctx.channels) await c.query(`LISTEN ${channel}`);
    if (ctx.closed) {
      await c.end();
      return;
    }
    const reconnected = ctx.retryMs > RECONNECT_MIN_MS;
    ctx.client = c;
    ctx.retryMs = RECONNECT_MIN_MS;
    if (reconnected) {
      ctx.log.info('listening for new work again');
      ctx.onReconnected();
    }
  } catch (error) {
    c.end().catch(() => {});
    reconnectLater(ctx, error);
  }
}

function reconnectLater(ctx: ListenerContext, error: unknown): void {
  ctx.client = undefined;
  if (ctx.closed || ctx.retryTimer !== undefined) return;
  ctx.log.warn(
    { err: errorFields(error), retryInMs: ctx.retryMs },
    'lost the database connection that listens for new work; reconnecting',
  );
  ctx.retryTimer = setTimeout(() => {
    ctx.retryTimer = undefined;
    void listen(ctx);
  }, ctx.retryMs);
  ctx.retryTimer.unref();
  ctx.retryMs = Math.min(RECONNECT_MAX_MS, ctx.retryMs * 2);
}
