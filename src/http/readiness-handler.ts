import type { IncomingMessage, ServerResponse } from 'node:http';
import { withTimeout } from './with-timeout.js';

/** A background loop's liveness, as the lifecycle reports it. */
export interface LoopLiveness {
  readonly name: string;
  readonly alive: boolean;
  readonly problem?: string;
}

type Check = { readonly status: 'ok' } | { readonly status: 'failing'; readonly error: string };

/**
 * `GET /readyz`: whether this server can take webhooks and act on them, from its own state
 * only: the ledger answers a read, and the background loops run (`loops()` is undefined until
 * they have started). GitHub's and Modal's health is not part of it, so that an upstream
 * outage does not take the webhook endpoint out of a load balancer; that is on `/status` and
 * in `/metrics`.
 */
export function createReadinessHandler(options: {
  /** A cheap read of the ledger; throws when it cannot answer. */
  readonly ledger: () => Promise<void>;
  readonly loops: () => readonly LoopLiveness[] | undefined;
  readonly timeoutMs?: number;
  /** Said beside the checks (which replica answered and which one leads). */
  readonly about?: () => Readonly<Record<string, unknown>>;
}) {
  const timeoutMs = options.timeoutMs ?? 5_000;
  return async (req: IncomingMessage, res: ServerResponse): Promise<boolean> => {
    const path = (req.url ?? '').split('?')[0];
    if (path !== '/readyz' || (req.method !== 'GET' && req.method !== 'HEAD')) return false;
    const ledger: Check = await withTimeout(options.ledger(), timeoutMs).then(
      () => ({ status: 'ok' }),
      (error: unknown) => ({
        status: 'failing',
        error: error instanceof Error ? error.message : String(error),
      }),
    );
    const loops = options.loops();
    const loopChecks: Record<string, Check> =
      loops === undefined
        ? { all: { status: 'failing', error: 'not started yet (the server is starting)' } }
        : Object.fromEntries(
            loops.map((l) => [
              l.name,
              l.alive ? { status: 'ok' } : { status: 'failing', error: l.problem ?? 'not alive' },
            ]),
          );
    const ready = [ledger, ...Object.values(loopChecks)].every((c) => c.status === 'ok');
    res.writeHead(ready ? 200 : 503, {
      'content-type': 'application/json',
      'cache-control': 'no-store',
    });
    res.end(
      req.method === 'HEAD'
        ? undefined
        : JSON.stringify({
            status: ready ? 'ready' : 'not ready',
            checks: { ledger, loops: loopChecks },
            ...(options.about ? options.about() : {}),
          }),
    );
    return true;
  };
}
