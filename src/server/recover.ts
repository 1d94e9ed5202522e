import type { Services } from './build-services.js';

/**
 * After a restart, before any loop runs: follow every sandbox the ledger knows of, so that
 * their exits are seen, and undo the launches the last process cut off. Everything else that
 * drifted is left to the reconciler's first tick, which runs at once.
 */
export async function recover(services: Services): Promise<void> {
  for (const runner of await services.ledger.listRunners([
    'warm',
    'booting',
    'idle',
    'busy',
    'finishing',
  ])) {
    if (runner.sandboxId !== null) services.controller.watch(runner.name, runner.sandboxId);
  }
  await services.controller.recover();
}
