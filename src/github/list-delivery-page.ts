import type { ObserverContext } from './observer-context.js';
import type { DeliveryData, DeliveryParams } from './observer-octokit.js';
import { readPages } from './rest-pages.js';
import { listItems } from './rest-response.js';

/** One attempt to deliver a webhook to this App. Redeliveries keep the GUID of the original. */
export interface Delivery {
  readonly id: number;
  readonly guid: string;
  /** Epoch ms. */
  readonly deliveredAt: number;
  readonly redelivery: boolean;
  /** GitHub's description, e.g. `OK` or `Invalid HTTP Response: 503`. */
  readonly status: string;
  /** Our server's HTTP status; 0 when it never answered (timeout, connection refused). */
  readonly statusCode: number;
  readonly event: string;
  readonly action: string | null;
  readonly installationId: number | null;
}

export interface DeliveryPage {
  readonly deliveries: readonly Delivery[];
  readonly nextCursor: string | undefined;
}

const PER_PAGE = 100;

/**
 * One page (100) of the App's webhook deliveries, newest first: the first page without a
 * cursor, the next with the `nextCursor` of the one before (undefined on the last page).
 */
export async function listDeliveryPage(
  ctx: ObserverContext,
  { cursor }: { readonly cursor?: string },
): Promise<DeliveryPage> {
  const octokit = await ctx.appOctokit('list-deliveries');
  const read = await readPages<DeliveryData>({
    form: 'cursor',
    perPage: PER_PAGE,
    maxPages: 1,
    ...(cursor === undefined ? {} : { from: { page: 1, cursor } }),
    fetch: (at) => {
      const params: DeliveryParams =
        at.cursor === undefined
          ? { per_page: PER_PAGE }
          : { per_page: PER_PAGE, cursor: at.cursor };
      return ctx.paced('list-deliveries', {}, () =>
        octokit.request('GET /app/hook/deliveries', params),
      );
    },
    items: (response) => listItems<DeliveryData>(response, 'list-deliveries'),
  });
  const deliveries: Delivery[] = [];
  for (const delivery of read.items) {
    const deliveredAt = Date.parse(delivery.delivered_at);
    if (!Number.isNaN(deliveredAt)) deliveries.push(toDelivery(delivery, deliveredAt));
  }
  return { deliveries, nextCursor: read.next?.cursor };
}

function toDelivery(delivery: DeliveryData, deliveredAt: number): Delivery {
  return {
    id: delivery.id,
    guid: delivery.guid,
    deliveredAt,
    redelivery: delivery.redelivery,
    status: delivery.status,
    statusCode: delivery.status_code,
    event: delivery.event,
    action: delivery.action ?? null,
    installationId: delivery.installation_id ?? null,
  };
}
