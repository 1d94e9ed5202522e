import { open, type FileHandle } from 'node:fs/promises';

/** Makes the WAL's committed frames durable. */
export interface WalSync {
  /** Resolves once everything committed before the call is on disk. */
  sync(): Promise<void>;
  close(): Promise<void>;
}

/**
 * `fdatasync` of the ledger's WAL file on libuv's thread pool, so the event loop never waits on
 * the disk. Calls made while one runs share the next: one fsync makes every commit before it
 * durable, so a burst needs only a few.
 */
export function createWalSync(
  walPath: string,
  openFile: (path: string, flags: string) => Promise<Pick<FileHandle, 'datasync' | 'close'>> = open,
): WalSync {
  let handle: Promise<Pick<FileHandle, 'datasync' | 'close'>> | undefined;
  let running: Promise<void> | undefined;
  let waiting: { resolve(): void; reject(error: unknown): void }[] = [];

  const run = () => {
    const batch = waiting;
    waiting = [];
    handle ??= openFile(walPath, 'r');
    running = handle
      .then((file) => file.datasync())
      .then(
        () => batch.forEach((w) => w.resolve()),
        (error: unknown) => {
          handle = undefined;
          batch.forEach((w) => w.reject(error));
        },
      )
      .finally(() => {
        running = undefined;
        if (waiting.length > 0) run();
      });
  };
  return {
    sync() {
      return new Promise<void>((resolve, reject) => {
        waiting.push({ resolve, reject });
        if (running === undefined) run();
      });
    },
    async close() {
      await running;
      const file = handle;
      handle = undefined;
      await file?.then((f) => f.close()).catch(() => undefined);
    },
  };
}

/** For a ledger with no file (`:memory:`): nothing to sync. */
export const noWalSync: WalSync = { sync: async () => {}, close: async () => {} };
