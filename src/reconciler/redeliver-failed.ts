import { errorFields } from '../domain/error-fields.js';
import type { DeliveryInfo } from '../ports/reconcile-github.js';
import type { ApiBudget } from './api-budget.js';
import type { ReconcilerContext } from './reconciler-context.js';

const DELIVERIES_CHECKED_AT = 'deliveries.checkedAt';
/** The next window overlaps the last by this much: deliveries in flight then may fail later. */
const DELIVERY_OVERLAP_MS = 120_000;

/**
 * Asks GitHub to send again the `workflow_job` deliveries our server failed (GitHub never
 * retries by itself), since the last complete check (or the lookback after a first start).
 */
export async function redeliverFailed(
  ctx: ReconcilerContext,
  budget: ApiBudget,
  now: number,
): Promise<number> {
  const { ledger, github, log } = ctx;
  const { redelivered } = ctx.memory;
  const stored = await ledger.getMeta(DELIVERIES_CHECKED_AT);
  const since = stored === undefined ? now - ctx.settings.redeliveryLookbackMs : Number(stored);
  if (!budget.spend('list deliveries')) return 0;
  let deliveries: readonly DeliveryInfo[];
  try {
    deliveries = await github.listDeliveries({ since });
  } catch (error) {
    log.warn({ err: errorFields(error) }, 'could not list webhook deliveries');
    return 0;
  }
  let count = 0;
  let complete = true;
  const failed = deliveriesToRedeliver(deliveries, {
    event: 'workflow_job',
    alreadyRedelivered: redelivered,
  });
  for (const delivery of failed) {
    if (!budget.spend(`redeliver ${delivery.id}`)) {
      complete = false;
      break;
    }
    try {
      await github.redeliver(delivery.id);
      redelivered.add(delivery.guid);
      count += 1;
    } catch (error) {
      complete = false;
      log.warn({ err: errorFields(error), deliveryId: delivery.id }, 'redelivery failed');
    }
  }
  if (count > 0) log.info({ count }, 'failed webhook deliveries redelivered');
  if (complete) await ledger.setMeta(DELIVERIES_CHECKED_AT, String(now - DELIVERY_OVERLAP_MS));
  if (redelivered.size > 10_000) redelivered.clear();
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
