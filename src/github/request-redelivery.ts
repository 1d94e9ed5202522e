import type { ObserverContext } from './observer-context.js';

/** Asks GitHub to deliver this delivery's event again (it answers 202 and delivers later). */
export async function requestRedelivery(ctx: ObserverContext, deliveryId: number): Promise<void> {
  const octokit = await ctx.appOctokit('redeliver');
  const response = await ctx.paced('redeliver', {}, () =>
    octokit.request('POST /app/hook/deliveries/{delivery_id}/attempts', {
      delivery_id: deliveryId,
    }),
  );
  ctx.log.debug(
    { operation: 'redeliver', deliveryId, status: response.status },
    'webhook redelivery requested',
  );
}
