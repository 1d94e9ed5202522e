import type { CacheOption } from '../config/cache-option.js';

/** One entry directly under the volume's `gens/` directory, as Modal lists it. */
export interface GenerationEntry {
  /** The entry's name, for example `g-1764620000-52428800-modal-3f9a2c-8e1f2a9b3c-41`. */
  readonly name: string;
  /** Last modification, seconds since the epoch (Modal's listing). */
  readonly mtime: number;
}

export interface PruneSettings {
  /**
   * How long a generation that a newer one replaced stays, for runners restoring it right now
   * (a restore copies for seconds to minutes after boot).
   */
  readonly supersededGraceMs: number;
  /** A `.tmp-` directory untouched this long belongs to a writer that died. */
  readonly abandonedAfterMs: number;
}

/** Defaults: superseded generations go after 30 minutes, abandoned writes after 25 hours. */
export const DEFAULT_PRUNE_SETTINGS: PruneSettings = {
  supersededGraceMs: 30 * 60 * 1000,
  // Longer than Modal's 24-hour sandbox lifetime: no writer can still be alive.
  abandonedAfterMs: 25 * 60 * 60 * 1000,
};

export interface PruneDecision {
  readonly name: string;
  readonly reason: 'expired' | 'superseded' | 'over-cap' | 'abandoned';
}

export interface PrunePlan {
  readonly remove: readonly PruneDecision[];
  /** Bytes of the generations kept (from their names). */
  readonly keptBytes: number;
  /** The newest generation kept, if any: the one runners restore. */
  readonly current: string | undefined;
}

interface Generation {
  readonly name: string;
  readonly publishedMs: number;
  readonly bytes: number;
}

const GENERATION = /^g-(\d+)-(\d+)-/;

function generationOf(entry: GenerationEntry): Generation | undefined {
  const match = GENERATION.exec(entry.name);
  if (!match) return undefined;
  return { name: entry.name, publishedMs: Number(match[1]) * 1000, bytes: Number(match[2]) };
}

/** Bytes of all the published generations among `entries` (recorded in their names). */
export function publishedBytes(entries: readonly GenerationEntry[]): number {
  return entries.map(generationOf).reduce((sum, g) => sum + (g?.bytes ?? 0), 0);
}

/**
 * What the periodic cleanup removes from one class's cache volume. Pure.
 *
 * - A generation older than the class's `ttlDays` expires (the newest too: an old cache is
 *   worth less than its storage, and the next job publishes a fresh one).
 * - A generation replaced by a newer one goes once the newer one is `supersededGraceMs` old.
 * - While the kept generations exceed `sizeGiB`, the oldest go (never the newest: a
 *   generation over the cap is never published).
 * - A `.tmp-` directory untouched for `abandonedAfterMs` goes (its writer died mid-publish).
 */
export function planCachePrune(
  entries: readonly GenerationEntry[],
  cache: CacheOption,
  now: number,
  settings: PruneSettings = DEFAULT_PRUNE_SETTINGS,
): PrunePlan {
  const remove: PruneDecision[] = [];
  for (const entry of entries) {
    if (entry.name.startsWith('.tmp-') && now - entry.mtime * 1000 >= settings.abandonedAfterMs) {
      remove.push({ name: entry.name, reason: 'abandoned' });
    }
  }
  const ttlMs = cache.ttlDays * 24 * 60 * 60 * 1000;
  const generations = entries
    .map(generationOf)
    .filter((g): g is Generation => g !== undefined)
    .sort((a, b) => b.publishedMs - a.publishedMs || (a.name < b.name ? 1 : -1));
  const kept: Generation[] = [];
  let newerPublishedMs: number | undefined;
  for (const g of generations) {
    if (now - g.publishedMs >= ttlMs) remove.push({ name: g.name, reason: 'expired' });
    else if (newerPublishedMs !== undefined && now - newerPublishedMs >= settings.supersededGraceMs)
      remove.push({ name: g.name, reason: 'superseded' });
    else kept.push(g);
    newerPublishedMs = g.publishedMs;
  }
  const capBytes = cache.sizeGiB * 1024 ** 3;
  let keptBytes = kept.reduce((sum, g) => sum + g.bytes, 0);
  while (kept.length > 1 && keptBytes > capBytes) {
    const oldest = kept.pop();
    if (!oldest) break;
    keptBytes -= oldest.bytes;
    remove.push({ name: oldest.name, reason: 'over-cap' });
  }
  return { remove, keptBytes, current: kept[0]?.name };
}
