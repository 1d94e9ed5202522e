import { z } from 'zod';

/** What `cache: true` means: a 10 GiB cap, generations kept 14 days. */
export const DEFAULT_CACHE_SIZE_GIB = 10;
export const DEFAULT_CACHE_TTL_DAYS = 14;

const HOW_TO_FIX =
  'set cache to true, false or an object such as {"sizeGiB":10,"ttlDays":14} (sizeGiB up to 1000, ttlDays up to 365)';

/** A class's warm cache, after defaults: the volume's size cap and its generations' lifetime. */
export interface CacheOption {
  /** The most the class's cache volume may hold; the cleanup prunes the oldest beyond it. */
  readonly sizeGiB: number;
  /** A generation older than this is deleted by the cleanup. */
  readonly ttlDays: number;
}

const cacheObjectSchema = z
  .object(
    {
      sizeGiB: z
        .number({ error: `sizeGiB must be a number; ${HOW_TO_FIX}` })
        .positive({ error: `sizeGiB must be above 0; ${HOW_TO_FIX}` })
        .max(1000, { error: `sizeGiB must be at most 1000; ${HOW_TO_FIX}` })
        .default(DEFAULT_CACHE_SIZE_GIB),
      ttlDays: z
        .number({ error: `ttlDays must be a number; ${HOW_TO_FIX}` })
        .positive({ error: `ttlDays must be above 0; ${HOW_TO_FIX}` })
        .max(365, { error: `ttlDays must be at most 365; ${HOW_TO_FIX}` })
        .default(DEFAULT_CACHE_TTL_DAYS),
    },
    { error: `cache is not valid; ${HOW_TO_FIX}` },
  )
  .strict();

/**
 * The `cache` option of a runner class: `true` (the defaults), `false` (none, as when absent)
 * or `{ sizeGiB, ttlDays }`. Parses to a CacheOption, or undefined for none.
 */
export const cacheOptionSchema = z.preprocess(
  (value) => (value === true ? {} : value === false ? undefined : value),
  cacheObjectSchema.optional(),
);
