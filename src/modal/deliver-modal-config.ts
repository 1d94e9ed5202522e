import type { Sandbox } from 'modal';
import type { ModalPlatformContext } from './modal-platform-context.js';
import { translateModalError } from './modal-error.js';
import { configLine } from './runner-image.js';

/**
 * Writes the JIT config to the sandbox's stdin (the entrypoint reads it from there: never argv),
 * then ends stdin in the background.
 */
export async function deliverModalConfig(
  ctx: ModalPlatformContext,
  sandboxId: string,
  jitConfig: string,
): Promise<void> {
  // A fresh stream per call: a retry writes from the start again, and Modal drops what it
  // already has (V2 stdin is written at offsets, V1 stdin in numbered chunks).
  const first = ctx.created.get(sandboxId);
  ctx.created.delete(sandboxId);
  let sb: Sandbox | undefined;
  try {
    sb = first ?? (await ctx.client.sandboxes.fromId(sandboxId));
    await sb.stdin.writeText(configLine(jitConfig));
  } catch (error) {
    sb?.detach();
    throw translateModalError('deliver-config', error, {
      ...ctx.baseContext,
      secrets: [jitConfig],
    });
  }
  // The sandbox has its config: the entrypoint reads one line and then stops reading stdin
  // (`exec </dev/null`). So the end of stdin follows in the background, off the launch
  // slot (one round trip less per launch), and a failure there changes nothing. Detaching
  // drops the handle's connection to the task's command router now rather than after the
  // SDK's 30 s idle timeout: a burst would otherwise hold one per new sandbox.
  const handle = sb;
  const ending = handle.stdin
    .close()
    .catch(() => undefined)
    .finally(() => {
      handle.detach();
      ctx.closing.delete(ending);
    });
  ctx.closing.add(ending);
}
