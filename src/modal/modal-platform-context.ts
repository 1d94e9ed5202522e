import type { App, Image, ModalClient, Sandbox, SandboxCreateParams, Volume } from 'modal';
import { cacheVolumeName } from '../cache/cache-volume.js';
import type { RunnerClass } from '../config/runner-class.js';
import type { SandboxSpec } from '../ports/sandbox-platform.js';
import type { ModalErrorContext } from './modal-error.js';
import { keepUntilFailed } from './keep-until-failed.js';
import { runnerImageKey } from './runner-image-layers.js';
import type { ClassSandboxContext } from './sandbox-class-params.js';

export interface ModalSandboxPlatformOptions {
  readonly client: ModalClient;
  /** The Modal App the sandboxes belong to; created on first use. */
  readonly appName: string;
  /**
   * Version of the official runner image, for classes without their own `image`; a function
   * is asked at each launch (RUNNER_VERSION=latest moves once the newer image has built).
   */
  readonly runnerVersion: string | (() => string);
  /** Sandbox lifetime for classes without `timeoutMinutes`. */
  readonly defaultTimeoutMinutes: number;
  /** Modal environment; the client's (MODAL_ENVIRONMENT) when omitted. */
  readonly environment?: string;
  /** Deadline of one create, stdin write, terminate or list (60 s). */
  readonly callTimeoutMs?: number;
  /** Names the cache volumes of classes with `cache` (the deployment's id; appName when unset). */
  readonly deploymentId?: string;
  /** Names of the classes with `docker` (the advice of the `docker` shim of the others). */
  readonly dockerClasses?: readonly string[];
  /** GitHub's Actions hosts for `egress: "github"` (actions-hosts.ts); a fallback list without. */
  readonly githubHosts?: () => Promise<readonly string[]>;
}

/** The one state object the Modal platform's methods work over. */
export interface ModalPlatformContext extends ModalSandboxPlatformOptions {
  /** What every Modal error of this platform names (App, environment). */
  readonly baseContext: ModalErrorContext;
  /** The runner version to launch now (RUNNER_VERSION, or the newest built for `latest`). */
  readonly versionNow: () => string;
  /** What `sandboxes.create` gets for a spec, with the class options' context. */
  readonly createParams: (
    spec: SandboxSpec,
    context: ClassSandboxContext,
    cacheVolume: Volume | undefined,
  ) => SandboxCreateParams;
  /** The Modal App, looked up (and created if missing) once; a failed lookup is tried again. */
  readonly getApp: () => Promise<App>;
  /** One Image object per tag and layers: the SDK builds it on first use and remembers its ID. */
  readonly getImage: (tag: string, layers: readonly string[]) => Image;
  /** A cached class's volume, looked up (created if missing) once; a failure is tried again. */
  readonly getCacheVolume: (cls: RunnerClass) => Promise<Volume> | undefined;
  /**
   * Handles of sandboxes just created, until their config is delivered: the handle from
   * `create` already knows how to reach a V2 sandbox's command router (one round trip less).
   */
  readonly created: Map<string, Sandbox>;
  /** Stdin ends still under way (see deliver-modal-config.ts). */
  readonly closing: Set<Promise<void>>;
}

export function createModalPlatformContext(
  options: ModalSandboxPlatformOptions,
  createParams: ModalPlatformContext['createParams'],
): ModalPlatformContext {
  const { client, appName, environment, runnerVersion } = options;
  const apps = keepUntilFailed<App>();
  const images = new Map<string, Image>();
  const volumes = keepUntilFailed<Volume>();
  const inEnvironment = environment ? { environment } : {};
  return {
    ...options,
    baseContext: { appName, ...inEnvironment },
    versionNow: typeof runnerVersion === 'function' ? runnerVersion : () => runnerVersion,
    createParams,
    getApp: () =>
      apps(appName, () =>
        client.apps.fromName(appName, { createIfMissing: true, ...inEnvironment }),
      ),
    getImage(tag, layers) {
      const key = runnerImageKey(tag, layers);
      let image = images.get(key);
      if (!image) {
        image = client.images.fromRegistry(tag);
        if (layers.length > 0) image = image.dockerfileCommands([...layers]);
        images.set(key, image);
      }
      return image;
    },
    getCacheVolume(cls) {
      if (!cls.cache) return undefined;
      const name = cacheVolumeName(options.deploymentId ?? appName, cls.name);
      return volumes(name, () =>
        client.volumes.fromName(name, { createIfMissing: true, ...inEnvironment }),
      );
    },
    created: new Map(),
    closing: new Set(),
  };
}
