/**
 * When a leader term begins (after a restart, or a takeover), before it plans: undo the
 * launches the last leader cut off. The exit watcher's first listing (at once) finds the
 * sandboxes that ended meanwhile; everything else that drifted is left to the reconciliation
 * that runs next.
 */
export async function recover(controller: { recover(): Promise<void> }): Promise<void> {
  await controller.recover();
}
