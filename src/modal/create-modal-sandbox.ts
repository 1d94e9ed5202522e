import type { SandboxSpec } from '../ports/sandbox-platform.js';
import type { ModalPlatformContext } from './modal-platform-context.js';
import { modalErrorCode, translateModalError, type ModalErrorContext } from './modal-error.js';
import { runnerImageTag } from './runner-image.js';
import { runnerImageLayers } from './runner-image-layers.js';

/**
 * Creates the runner's sandbox in the platform's App from the class's image, and keeps its
 * handle for the config delivery that follows.
 */
export async function createModalSandbox(
  ctx: ModalPlatformContext,
  spec: SandboxSpec,
): Promise<{ sandboxId: string }> {
  const { client, appName, environment } = ctx;
  const cls = spec.runnerClass;
  const tag = runnerImageTag(cls, ctx.versionNow());
  const context: ModalErrorContext = {
    ...ctx.baseContext,
    runnerClass: cls.name,
    image: tag,
    ...(cls.gpu ? { gpu: cls.gpu } : {}),
  };
  try {
    const [app, cacheVolume, githubHosts] = await Promise.all([
      ctx.getApp(),
      ctx.getCacheVolume(cls),
      cls.egress === 'github' && ctx.githubHosts ? ctx.githubHosts() : undefined,
    ]);
    const sb = await client.sandboxes.create(
      app,
      ctx.getImage(tag, runnerImageLayers(cls)),
      ctx.createParams(
        spec,
        {
          ...(ctx.dockerClasses ? { dockerClasses: ctx.dockerClasses } : {}),
          ...(githubHosts ? { githubHosts } : {}),
        },
        cacheVolume,
      ),
    );
    ctx.created.set(sb.sandboxId, sb);
    return { sandboxId: sb.sandboxId };
  } catch (error) {
    // Runner names are random and single-use: a sandbox that already has this name is the
    // one an earlier attempt created before its answer was lost. Take it instead of failing.
    if (modalErrorCode(error) === 'ALREADY_EXISTS') {
      try {
        const existing = await client.sandboxes.fromName(appName, spec.name, {
          ...(environment ? { environment } : {}),
        });
        return { sandboxId: existing.sandboxId };
      } catch {
        // fall through to the original error
      }
    }
    throw translateModalError('create-sandbox', error, context);
  }
}
