/**
 * Reads a SandboxCreate / SandboxCreateV2 request as Modal validates it: the app and image must
 * exist, GPUs only on V1 and of a known type, the timeout at most 24 h, the name shorter than 64
 * characters and unique among the app's running sandboxes; env sources and secrets merged.
 */
import { Status } from 'nice-grpc-common';
import type { FakeImage } from './images.js';
import type { FakeVolumeMount } from './volumes.js';
import type { FakeModalOptions } from './options.js';
import { readSandboxRuntime, type SandboxRuntime } from './sandbox-runtime.js';
import { asNumber, asRecord, asString, rpcError, stringMap, tagList } from './wire.js';

const MAX_TIMEOUT_SECS = 24 * 60 * 60;
const KNOWN_GPUS = new Set([
  'T4',
  'L4',
  'A10',
  'A10G',
  'A100',
  'A100-40GB',
  'A100-80GB',
  'L40S',
  'H100',
  'H100!',
  'H200',
  'B200',
  'B200+',
  'ANY',
]);

export type SandboxKind = 'v1' | 'v2';

/** What the request asks for; the store adds IDs, times, stdin and the result. */
export interface SandboxDefinition extends SandboxRuntime {
  readonly appId: string;
  readonly name: string | undefined;
  readonly tags: Record<string, string>;
  readonly imageId: string;
  readonly imageTag: string | undefined;
  readonly command: readonly string[];
  readonly workdir: string | undefined;
  readonly env: Readonly<Record<string, string>>;
  readonly timeoutSecs: number;
  readonly milliCpu: number;
  readonly memoryMb: number;
  readonly gpu: string | undefined;
  /** Volumes mounted (volumes.ts checks them as Modal does). */
  readonly volumeMounts: readonly FakeVolumeMount[];
}

export interface DefinitionLookups {
  hasApp(appId: string): boolean;
  findImage(imageId: string): FakeImage | undefined;
  secretContents(secretId: string): Readonly<Record<string, string>> | undefined;
  /** A running sandbox of `appId` already has this name. */
  nameTaken(appId: string, name: string): boolean;
  /** The definition's volume mounts, checked (throws what Modal answers). */
  readVolumeMounts(method: string, mounts: unknown): FakeVolumeMount[];
  /** What the workspace is allowed (the VM runtime, enable_docker). */
  readonly workspace?: Pick<FakeModalOptions, 'vmRuntime' | 'enableDocker'>;
}

export function createMethodOf(kind: SandboxKind): string {
  return kind === 'v1' ? 'SandboxCreate' : 'SandboxCreateV2';
}

export function readSandboxDefinition(
  kind: SandboxKind,
  req: Record<string, unknown>,
  lookups: DefinitionLookups,
): SandboxDefinition {
  const method = createMethodOf(kind);
  const appId = asString(req.appId);
  if (!lookups.hasApp(appId)) throw rpcError(method, Status.NOT_FOUND, `App ${appId} not found`);
  const definition = asRecord(req.definition);
  const imageId = asString(definition.imageId);
  const image = lookups.findImage(imageId);
  if (!image) throw rpcError(method, Status.NOT_FOUND, `Image ${imageId} not found`);
  const resources = asRecord(definition.resources);
  const gpu = readGpu(kind, asRecord(resources.gpuConfig));
  const runtime = readSandboxRuntime(method, definition, gpu, lookups.workspace ?? {});
  const timeoutSecs = asNumber(definition.timeoutSecs) || 300;
  if (timeoutSecs > MAX_TIMEOUT_SECS) {
    throw rpcError(method, Status.INVALID_ARGUMENT, `timeout must be at most ${MAX_TIMEOUT_SECS}s`);
  }
  const name = asString(definition.name) || undefined;
  if (name !== undefined) checkName(method, appId, name, lookups);
  return {
    appId,
    name,
    tags: tagList(req.tags),
    imageId,
    imageTag: image.tag,
    command: Array.isArray(definition.entrypointArgs)
      ? definition.entrypointArgs.map(asString)
      : [],
    workdir: asString(definition.workdir) || undefined,
    env: readEnv(method, definition, req, lookups),
    timeoutSecs,
    milliCpu: asNumber(resources.milliCpu),
    memoryMb: asNumber(resources.memoryMb),
    gpu,
    volumeMounts: lookups.readVolumeMounts(method, definition.volumeMounts),
    ...runtime,
  };
}

/** `H100`, `A100-80GB:2`…, or undefined without a GPU. */
function readGpu(kind: SandboxKind, gpuConfig: Record<string, unknown>): string | undefined {
  const method = createMethodOf(kind);
  const gpuCount = asNumber(gpuConfig.count);
  const gpuType = asString(gpuConfig.gpuType);
  if (gpuCount <= 0 && gpuType === '') return undefined;
  if (kind === 'v2') {
    throw rpcError(method, Status.INVALID_ARGUMENT, 'GPUs are not supported by SandboxCreateV2');
  }
  if (!KNOWN_GPUS.has(gpuType.toUpperCase())) {
    throw rpcError(method, Status.INVALID_ARGUMENT, `Unknown GPU type '${gpuType}'`);
  }
  return gpuCount > 1 ? `${gpuType}:${gpuCount}` : gpuType;
}

function checkName(method: string, appId: string, name: string, lookups: DefinitionLookups) {
  if (name.length >= 64) {
    throw rpcError(
      method,
      Status.INVALID_ARGUMENT,
      'Sandbox name must be shorter than 64 characters',
    );
  }
  if (lookups.nameTaken(appId, name)) {
    throw rpcError(
      method,
      Status.ALREADY_EXISTS,
      `A running Sandbox named '${name}' already exists in this App`,
    );
  }
}

/** The environment the sandbox process gets: env sources and secrets, merged. */
function readEnv(
  method: string,
  definition: Record<string, unknown>,
  req: Record<string, unknown>,
  lookups: DefinitionLookups,
): Record<string, string> {
  const env: Record<string, string> = {};
  const secretIds = Array.isArray(definition.secretIds) ? definition.secretIds.map(asString) : [];
  const sources = Array.isArray(req.secretSources) ? req.secretSources.map(asRecord) : [];
  for (const source of sources) {
    const id = asString(source.secretId);
    if (id) secretIds.push(id);
    else Object.assign(env, stringMap(asRecord(source.env).contents));
  }
  for (const id of secretIds) {
    const secret = lookups.secretContents(id);
    if (!secret) throw rpcError(method, Status.NOT_FOUND, `Secret ${id} not found`);
    Object.assign(env, secret);
  }
  return env;
}
