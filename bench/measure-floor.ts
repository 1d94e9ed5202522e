import { join } from 'node:path';
import { fireBurst } from './fire-burst.js';
import { jobBodies } from './job-bodies.js';
import { startServerProcess } from './server-process.js';
import { summarize, type Summary } from './summarize.js';

export interface FloorResult {
  readonly concurrency: number;
  readonly answer: Summary;
}

/**
 * Answer times of bench/empty-server.ts for `jobs` webhooks at each concurrency: what queueing
 * on one Node event loop costs on this machine before the server does any work.
 */
export async function measureFloor(
  jobs: number,
  concurrencies: readonly number[],
  buildDir: string | undefined,
): Promise<FloorResult[]> {
  const script = buildDir ? join(buildDir, 'bench/empty-server.js') : 'bench/empty-server.ts';
  const results: FloorResult[] = [];
  for (const concurrency of concurrencies) {
    const server = await startServerProcess(script, {});
    try {
      const port = (server.ready as { ready?: unknown } | undefined)?.ready;
      if (typeof port !== 'number') throw new Error(`${script} did not report its port`);
      const answers = await fireBurst({
        url: `http://127.0.0.1:${port}/api/github/webhooks`,
        secret: 'unused',
        jobs: jobBodies(1_000, jobs, ['acme/api']),
        concurrency,
      });
      results.push({ concurrency, answer: summarize(answers.map((a) => a.answeredAt - a.sentAt)) });
    } finally {
      await server.stop();
    }
  }
  return results;
}
