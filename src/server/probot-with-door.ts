import type { Probot } from 'probot';
import type { NodeMiddleware } from '../http/webhook-door.js';

/**
 * Probot's Server puts Probot's webhook middleware first among its HTTP handlers, ahead of any
 * handler an app adds. This class hands the Server that middleware already wrapped by `door`,
 * so the door sees every request before Probot reads a byte of it.
 */
export function probotWithDoor(
  Base: typeof Probot,
  door: (inner: NodeMiddleware) => NodeMiddleware,
): typeof Probot {
  return class ProbotWithDoor extends Base {
    override async getNodeMiddleware(
      options?: Parameters<Probot['getNodeMiddleware']>[0],
    ): ReturnType<Probot['getNodeMiddleware']> {
      return door(await super.getNodeMiddleware(options)) as Awaited<
        ReturnType<Probot['getNodeMiddleware']>
      >;
    }
  };
}
