import type { App, Image, ModalClient, Sandbox, SandboxCreateParams, Volume } from 'modal';
import { withCacheParams } from './cache-sandbox-params.js';
import { cacheVolumeName } from '../cache/cache-volume.js';
import type { RunnerClass } from '../config/runner-class.js';
import { decodeSandboxTags, encodeSandboxTags, managedByFilter } from '../domain/sandbox-tags.js';
import type { SandboxInfo, SandboxSpec, SandboxPlatform } from '../ports/sandbox-platform.js';
import { DEFAULT_MODAL_CALL_TIMEOUT_MS, withCallDeadlines } from './call-deadline.js';
import { listRunningSandboxes } from './list-sandboxes.js';
import {
  isModalNotFound,
  modalErrorCode,
  translateModalError,
  type ModalErrorContext,
} from './modal-error.js';
import { CONFIG_WAIT_ENV, configLine, RUNNER_WORKDIR, runnerImageTag } from './runner-image.js';
import { runnerImageKey, runnerImageLayers } from './runner-image-layers.js';
import { classSandboxParams, type ClassSandboxContext } from './sandbox-class-params.js';

/** Modal's longest sandbox lifetime. */
export const MAX_SANDBOX_TIMEOUT_MS = 24 * 60 * 60 * 1000;

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

/** The sandbox's lifetime: the class's, else the default, never above Modal's 24 hours. */
export function sandboxTimeoutMs(runnerClass: RunnerClass, defaultTimeoutMinutes: number): number {
  const minutes = runnerClass.timeoutMinutes ?? defaultTimeoutMinutes;
  // The SDK wants whole seconds.
  const ms = Math.max(1, Math.round(minutes * 60)) * 1000;
  return Math.min(ms, MAX_SANDBOX_TIMEOUT_MS);
}

/**
 * What `sandboxes.create` gets for one runner: no secret (the JIT config comes on stdin). The
 * class's options (entrypoint, Docker, egress) come from sandbox-class-params.ts; a class with
 * `cache` gets its volume (`cacheVolume`) and the cache's environment (cache-sandbox-params.ts).
 */
export function sandboxCreateParams(
  spec: SandboxSpec,
  defaultTimeoutMinutes: number,
  context: ClassSandboxContext = {},
  cacheVolume?: Volume,
): SandboxCreateParams {
  const cls = spec.runnerClass;
  const params: SandboxCreateParams = {
    name: spec.name,
    tags: encodeSandboxTags(spec.tags),
    cpu: cls.cpu,
    memoryMiB: cls.memoryMiB,
    ...(cls.gpu ? { gpu: cls.gpu } : {}),
    timeoutMs: sandboxTimeoutMs(cls, defaultTimeoutMinutes),
    workdir: RUNNER_WORKDIR,
    ...classSandboxParams(cls, context),
    ...(spec.configWaitSeconds !== undefined
      ? { env: { [CONFIG_WAIT_ENV]: String(Math.round(spec.configWaitSeconds)) } }
      : {}),
  };
  return cacheVolume ? withCacheParams(params, cls, cacheVolume, spec.name) : params;
}

/**
 * The controller's SandboxPlatform on Modal: one sandbox per runner, in one Modal App.
 *
 * CPU classes get V2 sandboxes and GPU classes V1 sandboxes (the SDK decides); `list` uses the
 * listing that sees both kinds.
 */
export interface ModalSandboxPlatform extends SandboxPlatform {
  /**
   * Resolves when the work left running in the background has ended (the ends of stdin that
   * follow config deliveries). The server waits for it at stop, before the Modal client goes,
   * so that no SDK retry outlives the server.
   */
  drain(): Promise<void>;
}

export function createModalSandboxPlatform(
  options: ModalSandboxPlatformOptions,
): ModalSandboxPlatform {
  const { client, appName, runnerVersion, defaultTimeoutMinutes, environment } = options;
  const versionNow = typeof runnerVersion === 'function' ? runnerVersion : () => runnerVersion;
  const baseContext: ModalErrorContext = {
    appName,
    ...(environment ? { environment } : {}),
  };
  let appPromise: Promise<App> | undefined;
  const images = new Map<string, Image>();
  /** Cache volumes by name, looked up (created if missing) once; a failure is tried again. */
  const volumes = new Map<string, Promise<Volume>>();
  /**
   * Handles of sandboxes just created, until their config is delivered: the handle from
   * `create` already knows how to reach a V2 sandbox's command router (one round trip less).
   */
  const created = new Map<string, Sandbox>();
  /** Stdin ends still under way (see deliverConfig). */
  const closing = new Set<Promise<void>>();

  /** Looked up (and created if missing) once; a failed lookup is tried again next time. */
  function getApp(): Promise<App> {
    if (!appPromise) {
      const promise = client.apps.fromName(appName, {
        createIfMissing: true,
        ...(environment ? { environment } : {}),
      });
      appPromise = promise;
      promise.catch(() => {
        if (appPromise === promise) appPromise = undefined;
      });
    }
    return appPromise;
  }

  /** One Image object per tag and layers: the SDK builds it on first use and remembers its ID. */
  function getImage(tag: string, layers: readonly string[]): Image {
    const key = runnerImageKey(tag, layers);
    let image = images.get(key);
    if (!image) {
      image = client.images.fromRegistry(tag);
      if (layers.length > 0) image = image.dockerfileCommands([...layers]);
      images.set(key, image);
    }
    return image;
  }

  function getCacheVolume(cls: RunnerClass): Promise<Volume> | undefined {
    if (!cls.cache) return undefined;
    const name = cacheVolumeName(options.deploymentId ?? appName, cls.name);
    let volume = volumes.get(name);
    if (!volume) {
      const promise = client.volumes.fromName(name, {
        createIfMissing: true,
        ...(environment ? { environment } : {}),
      });
      volumes.set(name, promise);
      promise.catch(() => {
        if (volumes.get(name) === promise) volumes.delete(name);
      });
      volume = promise;
    }
    return volume;
  }

  async function sandbox(sandboxId: string): Promise<Sandbox> {
    return client.sandboxes.fromId(sandboxId);
  }

  return withCallDeadlines(
    {
      async createSandbox(spec) {
        const cls = spec.runnerClass;
        const tag = runnerImageTag(cls, versionNow());
        const context: ModalErrorContext = {
          ...baseContext,
          runnerClass: cls.name,
          image: tag,
          ...(cls.gpu ? { gpu: cls.gpu } : {}),
        };
        try {
          const [app, cacheVolume, githubHosts] = await Promise.all([
            getApp(),
            getCacheVolume(cls),
            cls.egress === 'github' && options.githubHosts ? options.githubHosts() : undefined,
          ]);
          const sb = await client.sandboxes.create(
            app,
            getImage(tag, runnerImageLayers(cls)),
            sandboxCreateParams(
              spec,
              defaultTimeoutMinutes,
              {
                ...(options.dockerClasses ? { dockerClasses: options.dockerClasses } : {}),
                ...(githubHosts ? { githubHosts } : {}),
              },
              cacheVolume,
            ),
          );
          created.set(sb.sandboxId, sb);
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
      },

      async deliverConfig(sandboxId, jitConfig) {
        // A fresh stream per call: a retry writes from the start again, and Modal drops what it
        // already has (V2 stdin is written at offsets, V1 stdin in numbered chunks).
        const first = created.get(sandboxId);
        created.delete(sandboxId);
        let sb: Sandbox | undefined;
        try {
          sb = first ?? (await sandbox(sandboxId));
          await sb.stdin.writeText(configLine(jitConfig));
        } catch (error) {
          sb?.detach();
          throw translateModalError('deliver-config', error, {
            ...baseContext,
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
            closing.delete(ending);
          });
        closing.add(ending);
      },

      async drain() {
        while (closing.size > 0) await Promise.all([...closing]);
      },

      async terminate(sandboxId) {
        created.delete(sandboxId);
        try {
          await (await sandbox(sandboxId)).terminate();
        } catch (error) {
          if (isModalNotFound(error)) return;
          throw translateModalError('terminate', error, baseContext);
        }
      },

      async list(managedBy) {
        try {
          const app = await getApp();
          const listed = await listRunningSandboxes(client, app.appId, managedByFilter(managedBy));
          return listed.map((sb): SandboxInfo => ({
            sandboxId: sb.sandboxId,
            tags: decodeSandboxTags(sb.tags),
          }));
        } catch (error) {
          throw translateModalError('list', error, baseContext);
        }
      },
    },
    options.callTimeoutMs ?? DEFAULT_MODAL_CALL_TIMEOUT_MS,
  );
}
