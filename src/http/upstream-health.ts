import type { Clock } from '../domain/clock.js';
import type { UpstreamStatus } from '../status/status-snapshot.js';
import { withTimeout } from './with-timeout.js';

/** Resolves when the upstream answers; throws (with a message fit to show) when it does not. */
export type UpstreamProbe = () => Promise<void>;

export interface UpstreamHealth {
  /** One result per upstream, in the probes' order. */
  check(): Promise<UpstreamStatus[]>;
}

/**
 * Probes of the services the app depends on (GitHub, Modal), for `/status` and `/metrics`.
 * Each result is kept for `cacheMs` and callers at the same moment share one probe in flight,
 * so frequent scrapes and page refreshes cost an upstream call per upstream every `cacheMs`.
 */
export function createUpstreamHealth(options: {
  readonly probes: Readonly<Record<string, UpstreamProbe>>;
  readonly clock: Clock;
  readonly cacheMs?: number;
  readonly timeoutMs?: number;
}): UpstreamHealth {
  const cacheMs = options.cacheMs ?? 30_000;
  const timeoutMs = options.timeoutMs ?? 5_000;
  const cache = new Map<string, UpstreamStatus>();
  const inFlight = new Map<string, Promise<UpstreamStatus>>();

  function probe(name: string, run: UpstreamProbe): Promise<UpstreamStatus> {
    const cached = cache.get(name);
    if (cached && options.clock.now() - cached.checkedAt < cacheMs) return Promise.resolve(cached);
    let pending = inFlight.get(name);
    if (!pending) {
      pending = withTimeout(run(), timeoutMs)
        .then(
          (): UpstreamStatus => ({ name, status: 'ok', checkedAt: options.clock.now() }),
          (error: unknown): UpstreamStatus => ({
            name,
            status: 'failing',
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

  return {
    check: () => Promise.all(Object.entries(options.probes).map(([n, run]) => probe(n, run))),
  };
}
