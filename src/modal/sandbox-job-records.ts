import type { ModalClient } from 'modal';
import { encodeSandboxTags, type SandboxTags } from '../domain/sandbox-tags.js';
import { modalErrorCode, translateModalError } from './modal-error.js';
import { JOB_RECORD_PATH } from './runner-job-hook.js';

/** Reads a sandbox's job record and writes its tags, with the Modal SDK. */
export interface SandboxJobRecords {
  /**
   * The text of the job record (`runner-job-hook.ts`), or undefined when the sandbox has none
   * (its runner has not started a job, the image has no hooks, or the sandbox has just ended).
   * Throws a ModalError.
   */
  read(sandboxId: string): Promise<string | undefined>;
  /** Replaces the sandbox's tags (Modal sets the whole set at once). Throws a ModalError. */
  setTags(sandboxId: string, tags: SandboxTags): Promise<void>;
}

/** What Modal answers for a sandbox that has ended. */
const GONE = new Set(['NOT_FOUND', 'FAILED_PRECONDITION']);

/** How long one read may take inside the sandbox. */
const READ_TIMEOUT_MS = 30_000;

/**
 * `Sandbox.exec(['cat', record])` through the task's command router (V2 sandboxes; Modal runs
 * exec in V1, GPU, sandboxes too), then `Sandbox.setTags`. The handle is detached after each
 * call, so no connection outlives it.
 */
export function createSandboxJobRecords(client: ModalClient): SandboxJobRecords {
  return {
    async read(sandboxId) {
      const sandbox = await client.sandboxes.fromId(sandboxId).catch((error: unknown) => {
        throw translateModalError('read-job-record', error);
      });
      try {
        const process = await sandbox.exec(['cat', JOB_RECORD_PATH], {
          timeoutMs: READ_TIMEOUT_MS,
        });
        const [text, code] = await Promise.all([process.stdout.readText(), process.wait()]);
        return code === 0 ? text : undefined;
      } catch (error) {
        // It ended between the listing and the read: there is nothing left to tag.
        if (GONE.has(modalErrorCode(error))) return undefined;
        throw translateModalError('read-job-record', error);
      } finally {
        sandbox.detach();
      }
    },
    async setTags(sandboxId, tags) {
      const sandbox = await client.sandboxes.fromId(sandboxId).catch((error: unknown) => {
        throw translateModalError('set-tags', error);
      });
      try {
        await sandbox.setTags(encodeSandboxTags(tags));
      } catch (error) {
        throw translateModalError('set-tags', error);
      } finally {
        sandbox.detach();
      }
    },
  };
}
