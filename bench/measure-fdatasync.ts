import { mkdtempSync, rmSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { summarize, type Summary } from './summarize.js';

/**
 * Between the syncs of the probe beside a burst: rare enough not to compete with the server's
 * own syncs for the disk (one every 20 ms may have: a burst beside it ran far slower), often
 * enough for a hundred samples or more per burst.
 */
export const FDATASYNC_PROBE_GAP_MS = 250;

export interface FdatasyncProbe {
  /** Stops after the sync under way; the latencies seen, ms. */
  stop(): Promise<Summary>;
  /** Once the probe has made its `runs` syncs; the latencies, ms. */
  finished(): Promise<Summary>;
}

/**
 * What `fdatasync` costs on this machine, on the file system the server's DATA_DIR is on (the
 * OS temporary directory): a 4 KiB append (about one WAL frame) then `FileHandle.datasync()` on
 * libuv's thread pool, as the ledger's group commit syncs its WAL (src/ledger/wal-sync.ts), every
 * `gapMs` until stopped, or `runs` times. Timed is the datasync alone, as the event loop awaits
 * it. Run beside a burst, it shows what a sync costs while the server and the fakes load the
 * machine.
 */
export function startFdatasyncProbe(gapMs: number, runs = Infinity): FdatasyncProbe {
  const dir = mkdtempSync(join(tmpdir(), 'mgr-bench-fsync-'));
  const frame = Buffer.alloc(4096, 0x5a);
  const times: number[] = [];
  let stopped = false;
  const loop = async () => {
    const file = await open(join(dir, 'wal'), 'w');
    try {
      while (!stopped && times.length < runs) {
        await file.write(frame);
        const started = performance.now();
        await file.datasync();
        times.push(performance.now() - started);
        if (gapMs > 0) await new Promise((resolve) => setTimeout(resolve, gapMs));
      }
    } finally {
      await file.close();
      rmSync(dir, { recursive: true, force: true });
    }
  };
  const done = loop();
  return {
    async stop() {
      stopped = true;
      await done;
      return summarize(times);
    },
    async finished() {
      await done;
      return summarize(times);
    },
  };
}

/** `runs` syncs back to back, on a machine otherwise as it is. */
export function measureFdatasync(runs: number): Promise<Summary> {
  return startFdatasyncProbe(0, runs).finished();
}
