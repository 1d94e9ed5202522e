import type { Services } from './build-services.js';

/**
 * After a restart, before any loop runs: undo the launches the last process cut off. The exit
 * watcher's first listing (at once) finds the sandboxes that ended while the server was down;
 * everything else that drifted is left to the reconciler's first tick, which also runs at once.
 */
export async function recover(services: Services): Promise<void> {
  await services.controller.recover();
}
