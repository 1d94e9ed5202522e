import type { ModalClient } from 'modal';
import { isModalNotFound, translateModalError } from './modal-error.js';
import type { GenerationEntry } from '../cache/plan-cache-prune.js';

/** The directory under the volume's root that holds the generations (see cache-script.ts). */
export const GENERATIONS_DIR = 'gens';

/** The Modal calls the cache's cleanup, wipe and doctor make on one class's volume. */
export interface CacheVolumeCalls {
  /** The volume's ID, or undefined when it does not exist yet (nothing created). */
  find(name: string): Promise<string | undefined>;
  /** Entries directly under `gens/` (empty for a volume no runner wrote to yet). */
  listGenerations(volumeId: string): Promise<GenerationEntry[]>;
  /** Removes `gens/<name>` and everything in it. */
  removeGeneration(volumeId: string, name: string): Promise<void>;
}

/**
 * CacheVolumeCalls over the SDK: `volumes.fromName` without `createIfMissing`, then Modal's
 * file listing and removal (VolumeListFiles2, VolumeRemoveFile2) through the SDK's control-plane
 * client, as `modal volume ls` / `modal volume rm` do. Failures are ModalErrors saying how to fix.
 */
export function modalCacheVolumeCalls(client: ModalClient, environment?: string): CacheVolumeCalls {
  const env = environment ? { environment } : {};
  return {
    async find(name) {
      try {
        return (await client.volumes.fromName(name, env)).volumeId;
      } catch (error) {
        if (isModalNotFound(error)) return undefined;
        throw translateModalError('volume lookup', error, env);
      }
    },
    async listGenerations(volumeId) {
      const entries: GenerationEntry[] = [];
      try {
        const stream = client.cpClient.volumeListFiles2({
          volumeId,
          path: GENERATIONS_DIR,
          recursive: false,
        });
        for await (const page of stream) {
          for (const e of page.entries) {
            const name = e.path.replace(/\/+$/, '').split('/').pop() ?? '';
            if (name) entries.push({ name, mtime: e.mtime });
          }
        }
      } catch (error) {
        if (isModalNotFound(error)) return [];
        throw translateModalError('volume listing', error, env);
      }
      return entries;
    },
    async removeGeneration(volumeId, name) {
      try {
        await client.cpClient.volumeRemoveFile2({
          volumeId,
          path: `${GENERATIONS_DIR}/${name}`,
          recursive: true,
        });
      } catch (error) {
        if (isModalNotFound(error)) return;
        throw translateModalError('volume file removal', error, env);
      }
    },
  };
}
