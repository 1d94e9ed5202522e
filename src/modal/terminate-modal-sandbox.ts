import type { ModalPlatformContext } from './modal-platform-context.js';
import { isModalNotFound, translateModalError } from './modal-error.js';

/** Terminates the sandbox; one already gone counts as terminated. */
export async function terminateModalSandbox(
  ctx: ModalPlatformContext,
  sandboxId: string,
): Promise<void> {
  ctx.created.delete(sandboxId);
  try {
    await (await ctx.client.sandboxes.fromId(sandboxId)).terminate();
  } catch (error) {
    if (isModalNotFound(error)) return;
    throw translateModalError('terminate', error, ctx.baseContext);
  }
}
