/**
 * The fake Modal's Volumes: named ones created with `createIfMissing` (VolumeGetOrCreate),
 * deleted (VolumeDelete), listed (VolumeListFiles2, one streamed answer) and pruned
 * (VolumeRemoveFile2). A test seeds files with `putFile`. Names follow Modal's rules (letters,
 * digits, "-", "." and "_", fewer than 64 characters) and mounts Modal's (canonical absolute
 * paths, never `/`, `/root` or `/tmp`, one mount per volume): anything else is refused as Modal
 * refuses it.
 */
import { posix } from 'node:path';
import { Status } from 'nice-grpc-common';
import { asNumber, asRecord, asString, randomId, rpcError, type Handler } from './wire.js';

const OBJECT_CREATION_TYPE_CREATE_IF_MISSING = 1;
const FILE_TYPE_FILE = 1;
const FILE_TYPE_DIRECTORY = 2;
const NAME_RULE = /^[A-Za-z0-9._-]{1,63}$/;

export interface FakeVolumeFile {
  /** Seconds since the epoch. */
  readonly mtime: number;
  readonly size: number;
}

export interface FakeVolume {
  readonly volumeId: string;
  readonly name: string;
  readonly environmentName: string;
  /** Files by path relative to the volume's root ("gens/g-…/data/x"). */
  readonly files: Map<string, FakeVolumeFile>;
}

/** One volume mount a sandbox asked for, as it reached Modal. */
export interface FakeVolumeMount {
  readonly volumeId: string;
  readonly volumeName: string;
  readonly mountPath: string;
  readonly readOnly: boolean;
  readonly allowBackgroundCommits: boolean;
}

export class FakeVolumes {
  readonly handlers: Readonly<Record<string, Handler>>;
  readonly #byKey = new Map<string, FakeVolume>();

  constructor(checkEnvironment: (method: string, environmentName: string) => void) {
    this.handlers = {
      VolumeGetOrCreate: async (req) => {
        checkEnvironment('VolumeGetOrCreate', asString(req.environmentName));
        return this.#getOrCreate(req);
      },
      VolumeDelete: async (req) => {
        this.#delete(asString(req.volumeId));
        return {};
      },
      VolumeListFiles2: async (req) => ({ entries: this.#list(req) }),
      VolumeRemoveFile2: async (req) => {
        this.#remove(req);
        return {};
      },
    };
  }

  /** The volume named `name` in `environmentName`, or in any environment without one. */
  byName(name: string, environmentName?: string): FakeVolume | undefined {
    if (environmentName !== undefined) return this.#byKey.get(`${environmentName}/${name}`);
    return [...this.#byKey.values()].find((v) => v.name === name);
  }

  /** Writes a file into a volume (as a sandbox's commit would). */
  putFile(volume: FakeVolume, path: string, file: FakeVolumeFile): void {
    volume.files.set(path.replace(/^\/+/, ''), file);
  }

  /**
   * The mounts of a sandbox definition, checked as Modal checks them. `method` names the RPC
   * in errors.
   */
  readMounts(method: string, mounts: unknown): FakeVolumeMount[] {
    const list = Array.isArray(mounts) ? mounts.map(asRecord) : [];
    const seen = new Set<string>();
    return list.map((m) => {
      const volumeId = asString(m.volumeId);
      const mountPath = asString(m.mountPath);
      checkMountPath(method, mountPath);
      const volume = [...this.#byKey.values()].find((v) => v.volumeId === volumeId);
      if (!volume) throw rpcError(method, Status.NOT_FOUND, `Volume ${volumeId} not found`);
      if (seen.has(volumeId)) {
        throw rpcError(
          method,
          Status.INVALID_ARGUMENT,
          `Volume ${volume.name} is mounted more than once: a volume can be mounted in one place`,
        );
      }
      seen.add(volumeId);
      return {
        volumeId,
        volumeName: volume.name,
        mountPath,
        readOnly: m.readOnly === true,
        allowBackgroundCommits: m.allowBackgroundCommits === true,
      };
    });
  }

  #getOrCreate(req: Record<string, unknown>) {
    const name = asString(req.deploymentName);
    const environmentName = asString(req.environmentName);
    if (!NAME_RULE.test(name)) {
      throw rpcError(
        'VolumeGetOrCreate',
        Status.INVALID_ARGUMENT,
        `Invalid Volume name: '${name}'. Names may contain only alphanumeric characters, dashes, periods, and underscores, and must be shorter than 64 characters.`,
      );
    }
    const key = `${environmentName}/${name}`;
    let volume = this.#byKey.get(key);
    if (!volume) {
      if (req.objectCreationType !== OBJECT_CREATION_TYPE_CREATE_IF_MISSING) {
        throw rpcError('VolumeGetOrCreate', Status.NOT_FOUND, `Volume '${name}' not found`);
      }
      volume = { volumeId: randomId('vo-', 22), name, environmentName, files: new Map() };
      this.#byKey.set(key, volume);
    }
    return { volumeId: volume.volumeId, version: 0, metadata: { name, version: 0 } };
  }

  #find(method: string, volumeId: string): FakeVolume {
    const volume = [...this.#byKey.values()].find((v) => v.volumeId === volumeId);
    if (!volume) throw rpcError(method, Status.NOT_FOUND, `Volume ${volumeId} not found`);
    return volume;
  }

  #delete(volumeId: string): void {
    const volume = this.#find('VolumeDelete', volumeId);
    this.#byKey.delete(`${volume.environmentName}/${volume.name}`);
  }

  /** Entries directly under `path` (files and the directories that hold files), or all files. */
  #list(req: Record<string, unknown>) {
    const volume = this.#find('VolumeListFiles2', asString(req.volumeId));
    const prefix = asString(req.path).replace(/^\/+|\/+$/g, '');
    const under = prefix === '' ? '' : `${prefix}/`;
    const entries = new Map<string, { path: string; type: number; mtime: number; size: number }>();
    for (const [path, file] of volume.files) {
      if (!path.startsWith(under)) continue;
      const rest = path.slice(under.length).split('/');
      if (req.recursive === true || rest.length === 1) {
        entries.set(path, { path, type: FILE_TYPE_FILE, ...file });
        continue;
      }
      const dir = `${under}${rest[0]}`;
      const known = entries.get(dir);
      entries.set(dir, {
        path: dir,
        type: FILE_TYPE_DIRECTORY,
        mtime: Math.max(known?.mtime ?? 0, file.mtime),
        size: 0,
      });
    }
    const max = asNumber(req.maxEntries);
    const list = [...entries.values()];
    return max > 0 ? list.slice(0, max) : list;
  }

  #remove(req: Record<string, unknown>): void {
    const volume = this.#find('VolumeRemoveFile2', asString(req.volumeId));
    const path = asString(req.path).replace(/^\/+|\/+$/g, '');
    const inside = [...volume.files.keys()].filter((p) => p.startsWith(`${path}/`));
    if (!volume.files.has(path) && inside.length === 0) {
      throw rpcError('VolumeRemoveFile2', Status.NOT_FOUND, `No such file: ${path}`);
    }
    if (inside.length > 0 && req.recursive !== true) {
      throw rpcError('VolumeRemoveFile2', Status.INVALID_ARGUMENT, `${path} is a directory`);
    }
    volume.files.delete(path);
    for (const p of inside) volume.files.delete(p);
  }
}

/** Modal's rule for mount points: canonical and absolute, not `/`, `/root` or `/tmp`. */
function checkMountPath(method: string, path: string): void {
  const refuse = (why: string) =>
    rpcError(method, Status.INVALID_ARGUMENT, `Volume ${path} ${why}`);
  if (
    !path.startsWith('/') ||
    posix.normalize(path) !== path ||
    (path !== '/' && path.endsWith('/'))
  ) {
    throw refuse('must be a canonical, absolute path.');
  }
  if (path === '/') throw refuse('cannot be mounted into root directory.');
  if (path === '/root' || path === '/tmp') throw refuse(`cannot be mounted at '${path}'.`);
}
