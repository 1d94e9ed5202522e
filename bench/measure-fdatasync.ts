import { mkdtempSync, rmSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { summarize, type Summary } from './summarize.js';

/**
 * What one `fdatasync` costs on this machine, on the file system the server's DATA_DIR is on
 * (the OS temporary directory): `runs` times, a 4 KiB append (about one WAL frame) then
 * `FileHandle.datasync()` on libuv's thread pool, as the ledger's group commit syncs its WAL
 * (src/ledger/wal-sync.ts). Timed is the datasync alone, as the event loop awaits it.
 */
export async function measureFdatasync(runs: number): Promise<Summary> {
  const dir = mkdtempSync(join(tmpdir(), 'mgr-bench-fsync-'));
  const file = await open(join(dir, 'wal'), 'w');
  const frame = Buffer.alloc(4096, 0x5a);
  const times: number[] = [];
  try {
    for (let i = 0; i < runs; i++) {
      await file.write(frame);
      const started = performance.now();
      await file.datasync();
      times.push(performance.now() - started);
    }
  } finally {
    await file.close();
    rmSync(dir, { recursive: true, force: true });
  }
  return summarize(times);
}
