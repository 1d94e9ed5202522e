import type { Ledger } from '../ledger/ledger.js';

/**
 * When a leader term begins (after a restart, or a takeover), before it plans: follow every
 * sandbox the ledger knows of, so that their exits are seen, and undo the launches the last
 * leader cut off. Everything else that drifted is left to the reconciliation that runs next.
 */
export async function recover(
  ledger: Pick<Ledger, 'listRunners'>,
  controller: { watch(runnerName: string, sandboxId: string): void; recover(): Promise<void> },
): Promise<void> {
  for (const runner of await ledger.listRunners(['warm', 'booting', 'idle', 'busy', 'finishing'])) {
    if (runner.sandboxId !== null) controller.watch(runner.name, runner.sandboxId);
  }
  await controller.recover();
}
