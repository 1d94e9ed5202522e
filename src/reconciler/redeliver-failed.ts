import { errorFields } from '../domain/error-fields.js';
import type { DeliveryInfo } from '../ports/reconcile-github.js';
import type { ApiBudget } from './api-budget.js';
import type { ReconcilerContext } from './reconciler-context.js';

const DELIVERIES_CHECKED_AT = 'deliveries.checkedAt';
const DELIVERY_SWEEP = 'deliveries.sweep';
/** The next window overlaps the last by this much: deliveries in flight then may fail later. */
const DELIVERY_OVERLAP_MS = 120_000;

/**
 * A pass over the deliveries since the checkpoint, newest first, one page per API call. It may
 * take several ticks (the budget caps each); its place is stored so that a restart resumes it.
 */
interface Sweep {
  /** Deliveries older than this were handled by an earlier sweep. */
  readonly since: number;
  /** When the sweep began: the next checkpoint, once it ends. */
  readonly startedAt: number;
  /** The page to read next; undefined for the first (newest) one. */
  readonly cursor?: string;
}

/**
 * Asks GitHub to send again the `workflow_job` deliveries our server failed (GitHub never
 * retries by itself), since the last complete sweep (or the lookback after a first start). The
 * checkpoint moves only when a sweep has read every page back to it and redelivered every
 * failure it found; a sweep cut short by the budget or an error resumes next tick from the page
 * it could not finish. Returns how many deliveries were redelivered.
 */
export async function redeliverFailed(
  ctx: ReconcilerContext,
  budget: ApiBudget,
  now: number,
): Promise<number> {
  const { ledger, github, log } = ctx;
  const { redelivered } = ctx.memory;
  const sweep = (await loadSweep(ctx)) ?? (await newSweep(ctx, now));
  let cursor = sweep.cursor;
  let count = 0;
  for (;;) {
    if (!budget.spend('list deliveries')) return saveSweep(ctx, { ...sweep, cursor }, count);
    let page: Awaited<ReturnType<typeof github.listDeliveryPage>>;
    try {
      page = await github.listDeliveryPage(cursor === undefined ? {} : { cursor });
    } catch (error) {
      log.warn({ err: errorFields(error) }, 'could not list webhook deliveries');
      return saveSweep(ctx, { ...sweep, cursor }, count);
    }
    const inWindow = page.deliveries.filter((d) => d.deliveredAt >= sweep.since);
    // Newest first: later pages hold older deliveries, so a success newer than a failure of the
    // same GUID was seen on this page or an earlier one of the sweep.
    for (const d of inWindow) {
      if (d.event === 'workflow_job' && d.statusCode >= 200 && d.statusCode <= 299) {
        ctx.memory.sweepSucceeded.add(d.guid);
      }
    }
    const failed = deliveriesToRedeliver(inWindow, {
      event: 'workflow_job',
      alreadyRedelivered: new Set([...redelivered, ...ctx.memory.sweepSucceeded]),
    });
    for (const delivery of failed) {
      if (!budget.spend(`redeliver ${delivery.id}`)) {
        return saveSweep(ctx, { ...sweep, cursor }, count);
      }
      try {
        await github.redeliver(delivery.id);
        redelivered.add(delivery.guid);
        count += 1;
      } catch (error) {
        log.warn({ err: errorFields(error), deliveryId: delivery.id }, 'redelivery failed');
        return saveSweep(ctx, { ...sweep, cursor }, count);
      }
    }
    const reachedCheckpoint = inWindow.length < page.deliveries.length;
    if (reachedCheckpoint || page.nextCursor === undefined) break;
    cursor = page.nextCursor;
  }
  // Every page back to the checkpoint read, every failure redelivered: the sweep is done.
  await ledger.setMeta(DELIVERIES_CHECKED_AT, String(sweep.startedAt - DELIVERY_OVERLAP_MS));
  await ledger.setMeta(DELIVERY_SWEEP, '');
  ctx.memory.sweepSucceeded.clear();
  if (redelivered.size > 10_000) redelivered.clear();
  if (count > 0) log.info({ count }, 'failed webhook deliveries redelivered');
  return count;
}

async function loadSweep(ctx: ReconcilerContext): Promise<Sweep | undefined> {
  const stored = await ctx.ledger.getMeta(DELIVERY_SWEEP);
  if (!stored) return undefined;
  try {
    const sweep = JSON.parse(stored) as Partial<Sweep>;
    if (typeof sweep.since !== 'number' || typeof sweep.startedAt !== 'number') return undefined;
    return {
      since: sweep.since,
      startedAt: sweep.startedAt,
      ...(typeof sweep.cursor === 'string' ? { cursor: sweep.cursor } : {}),
    };
  } catch {
    return undefined;
  }
}

async function newSweep(ctx: ReconcilerContext, now: number): Promise<Sweep> {
  const checkpoint = await ctx.ledger.getMeta(DELIVERIES_CHECKED_AT);
  const since =
    checkpoint === undefined ? now - ctx.settings.redeliveryLookbackMs : Number(checkpoint);
  return { since, startedAt: now };
}

/** Stores where an unfinished sweep resumes; the checkpoint stays where it was. */
async function saveSweep(ctx: ReconcilerContext, sweep: Sweep, count: number): Promise<number> {
  await ctx.ledger.setMeta(DELIVERY_SWEEP, JSON.stringify(sweep));
  if (count > 0) ctx.log.info({ count }, 'failed webhook deliveries redelivered');
  ctx.log.debug({ cursor: sweep.cursor ?? 'newest' }, 'delivery sweep continues next tick');
  return count;
}

/** The fields of a delivery `deliveriesToRedeliver` reads. */
export type DeliveryAttempt = Pick<DeliveryInfo, 'guid' | 'statusCode' | 'event' | 'deliveredAt'>;

/**
 * The failed deliveries of `event` worth asking GitHub to send again: one per GUID (GitHub keeps
 * the GUID on redeliveries), the newest failed attempt, whose id is the one to redeliver. A
 * delivery failed when our server's status was outside 200-299, 0 (no answer) included. A GUID
 * that any attempt delivered successfully is left out, whether that success came after the
 * failure (a redelivery worked) or before it (the event was handled already), and so is a GUID
 * in `alreadyRedelivered`. Oldest first, so that a job's events are redelivered in order. Pure.
 */
export function deliveriesToRedeliver<D extends DeliveryAttempt>(
  deliveries: readonly D[],
  options: { readonly event: string; readonly alreadyRedelivered: ReadonlySet<string> },
): D[] {
  const succeeded = new Set<string>();
  const newestFailure = new Map<string, D>();
  for (const delivery of deliveries) {
    if (delivery.event !== options.event) continue;
    if (delivery.statusCode >= 200 && delivery.statusCode <= 299) {
      succeeded.add(delivery.guid);
      continue;
    }
    const known = newestFailure.get(delivery.guid);
    if (known === undefined || delivery.deliveredAt > known.deliveredAt) {
      newestFailure.set(delivery.guid, delivery);
    }
  }
  return [...newestFailure.values()]
    .filter((d) => !succeeded.has(d.guid) && !options.alreadyRedelivered.has(d.guid))
    .sort((a, b) => a.deliveredAt - b.deliveredAt);
}
