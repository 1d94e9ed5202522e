import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Clock } from '../domain/clock.js';

export type ReadinessProbe = () => Promise<void>;

interface CachedResult {
  readonly ok: boolean;
  readonly error?: string;
  readonly checkedAt: number;
}

/**
 * `GET /readyz`: the ledger is open and GitHub and Modal answer. Each probe's result is cached
 * for `cacheMs`, and concurrent requests share a probe in flight, so frequent probes stay cheap.
 */
export function createReadinessHandler(options: {
  readonly probes: Readonly<Record<string, ReadinessProbe>>;
  readonly clock: Clock;
  readonly cacheMs?: number;
  readonly timeoutMs?: number;
  /** Said beside the checks (which replica answered and which one leads). */
  readonly about?: () => Readonly<Record<string, unknown>>;
}) {
  const cacheMs = options.cacheMs ?? 30_000;
  const timeoutMs = options.timeoutMs ?? 5_000;
  const cache = new Map<string, CachedResult>();
  const inFlight = new Map<string, Promise<CachedResult>>();

  async function probe(name: string, run: ReadinessProbe): Promise<CachedResult> {
    const cached = cache.get(name);
    if (cached && options.clock.now() - cached.checkedAt < cacheMs) return cached;
    let pending = inFlight.get(name);
    if (!pending) {
      pending = withTimeout(run(), timeoutMs)
        .then(
          (): CachedResult => ({ ok: true, checkedAt: options.clock.now() }),
          (error: unknown): CachedResult => ({
            ok: false,
            error: error instanceof Error ? error.message : String(error),
            checkedAt: options.clock.now(),
          }),
        )
        .then((result) => {
          cache.set(name, result);
          inFlight.delete(name);
          return result;
        });
      inFlight.set(name, pending);
    }
    return pending;
  }

  return async (req: IncomingMessage, res: ServerResponse): Promise<boolean> => {
    const path = (req.url ?? '').split('?')[0];
    if (path !== '/readyz' || (req.method !== 'GET' && req.method !== 'HEAD')) return false;
    const entries = Object.entries(options.probes);
    const results = await Promise.all(entries.map(([name, run]) => probe(name, run)));
    const checks = Object.fromEntries(
      entries.map(([name], i) => {
        const r = results[i] as CachedResult;
        return [name, r.ok ? { status: 'ok' } : { status: 'failing', error: r.error }];
      }),
    );
    const ready = results.every((r) => r.ok);
    res.writeHead(ready ? 200 : 503, {
      'content-type': 'application/json',
      'cache-control': 'no-store',
    });
    res.end(
      req.method === 'HEAD'
        ? undefined
        : JSON.stringify({
            status: ready ? 'ready' : 'not ready',
            checks,
            ...(options.about ? options.about() : {}),
          }),
    );
    return true;
  };
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
