import { decodeSandboxTags, managedByFilter } from '../domain/sandbox-tags.js';
import type { SandboxInfo } from '../ports/sandbox-platform.js';
import { listRunningSandboxes } from './list-sandboxes.js';
import type { ModalPlatformContext } from './modal-platform-context.js';
import { translateModalError } from './modal-error.js';

/** The running sandboxes of the platform's App that this deployment manages, with their tags. */
export async function listManagedSandboxes(
  ctx: ModalPlatformContext,
  managedBy: string,
): Promise<SandboxInfo[]> {
  try {
    const app = await ctx.getApp();
    const listed = await listRunningSandboxes(ctx.client, app.appId, managedByFilter(managedBy));
    return listed.map((sb): SandboxInfo => ({
      sandboxId: sb.sandboxId,
      tags: decodeSandboxTags(sb.tags),
    }));
  } catch (error) {
    throw translateModalError('list', error, ctx.baseContext);
  }
}
