import type { Probot } from 'probot';
import type { ReceiveEvent } from '../http/receive-webhook.js';
import type { NodeMiddleware } from '../http/webhook-door.js';

/**
 * Probot's Server puts Probot's webhook middleware first among its HTTP handlers, ahead of any
 * handler an app adds. This class hands the Server that middleware already wrapped by `door`,
 * so the door sees every request before Probot reads a byte of it. Deliveries the door has
 * verified it hands straight to this Probot's event handling (`receive`): Probot's webhook
 * middleware would check the signature and parse the body a second time.
 */
export function probotWithDoor(
  Base: typeof Probot,
  door: (inner: NodeMiddleware, receive: ReceiveEvent) => NodeMiddleware,
): typeof Probot {
  return class ProbotWithDoor extends Base {
    override async getNodeMiddleware(
      options?: Parameters<Probot['getNodeMiddleware']>[0],
    ): ReturnType<Probot['getNodeMiddleware']> {
      const receive: ReceiveEvent = (event) =>
        this.receive(event as Parameters<Probot['receive']>[0]);
      return door(await super.getNodeMiddleware(options), receive) as Awaited<
        ReturnType<Probot['getNodeMiddleware']>
      >;
    }
  };
}
