import type { ModalClient } from 'modal';
import type { RunnerClass } from '../config/runner-class.js';
import { translateModalError, type ModalError } from './modal-error.js';
import { runnerImageTag } from './runner-image.js';
import { runnerImageKey, runnerImageLayers } from './runner-image-layers.js';

export interface RunnerImageBuild {
  /** The registry tag Modal builds from. */
  readonly tag: string;
  /** The runner classes that start from this image. */
  readonly classes: readonly string[];
  readonly result:
    | { readonly ok: true; readonly imageId: string; readonly ms: number }
    | { readonly ok: false; readonly error: ModalError };
}

export interface BuildRunnerImagesOptions {
  readonly client: ModalClient;
  readonly appName: string;
  readonly environment?: string | undefined;
  readonly classes: ReadonlyMap<string, RunnerClass>;
  readonly runnerVersion: string;
  /** Called as each image starts building, for progress output. */
  readonly onStart?: (tag: string, classes: readonly string[]) => void;
  readonly now?: () => number;
}

/**
 * The distinct images of the runner classes (by tag, and layers such as a Docker class's
 * iptables), with the classes that use each.
 */
export function runnerImagesOf(
  classes: ReadonlyMap<string, RunnerClass>,
  runnerVersion: string,
): Map<string, string[]> {
  const byKey = new Map<string, string[]>();
  for (const cls of classes.values()) {
    const key = runnerImageKey(runnerImageTag(cls, runnerVersion), runnerImageLayers(cls));
    byKey.set(key, [...(byKey.get(key) ?? []), cls.name]);
  }
  return byKey;
}

/** A class's image as Modal builds it: the registry tag, then its layers. */
function classImage(client: ModalClient, cls: RunnerClass, runnerVersion: string) {
  const image = client.images.fromRegistry(runnerImageTag(cls, runnerVersion));
  const layers = runnerImageLayers(cls);
  return layers.length > 0 ? image.dockerfileCommands(layers) : image;
}

/**
 * Builds every runner class's image on Modal, in the App the sandboxes use, one after the
 * other. Modal keeps a built image, so the first job of each class starts without the build.
 * A failed build is reported, not thrown: the others still build.
 */
export async function buildRunnerImages(
  options: BuildRunnerImagesOptions,
): Promise<RunnerImageBuild[]> {
  const { client, appName, environment } = options;
  const now = options.now ?? Date.now;
  const context = { appName, ...(environment ? { environment } : {}) };
  const app = await client.apps
    .fromName(appName, { createIfMissing: true, ...(environment ? { environment } : {}) })
    .catch((error: unknown) => {
      throw translateModalError('lookup-app', error, context);
    });
  const builds: RunnerImageBuild[] = [];
  for (const [tag, classes] of runnerImagesOf(options.classes, options.runnerVersion)) {
    options.onStart?.(tag, classes);
    const started = now();
    try {
      const first = options.classes.get(classes[0] ?? '');
      const image = await (
        first ? classImage(client, first, options.runnerVersion) : client.images.fromRegistry(tag)
      ).build(app);
      builds.push({
        tag,
        classes,
        result: { ok: true, imageId: image.imageId, ms: now() - started },
      });
    } catch (error) {
      builds.push({
        tag,
        classes,
        result: {
          ok: false,
          error: translateModalError('build-image', error, {
            ...context,
            image: tag,
            ...(classes.length === 1 && classes[0] ? { runnerClass: classes[0] } : {}),
          }),
        },
      });
    }
  }
  return builds;
}
