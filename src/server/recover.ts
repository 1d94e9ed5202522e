import type { Ledger } from '../ledger/ledger.js';

/**
 * When a leader term begins (after a restart, or a takeover), before it plans: follow every
 * sandbox the ledger knows of, so that their exits are seen. Interrupted launches and everything
 * else that drifted are left to the reconciliation that runs next.
 */
export async function recover(
  ledger: Pick<Ledger, 'listRunners'>,
  controller: { watch(runnerName: string, sandboxId: string): void },
): Promise<void> {
  for (const runner of await ledger.listRunners(['warm', 'booting', 'idle', 'busy', 'finishing'])) {
    if (runner.sandboxId !== null) controller.watch(runner.name, runner.sandboxId);
  }
}
