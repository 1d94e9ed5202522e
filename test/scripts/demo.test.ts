/** `npm run demo` as a newcomer runs it: a child process, its status page, then Ctrl-C. */
import { spawn } from 'node:child_process';
import { describe, expect, it } from '@jest/globals';
import { eventually, freePort } from '../../sim/harness.js';

describe('npm run demo', () => {
  it('sends the jobs over --seconds, keeps serving after they are done, and stops on Ctrl-C', async () => {
    const port = await freePort();
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        'scripts/demo.ts',
        '--jobs',
        '3',
        '--seconds',
        '2',
        '--port',
        String(port),
      ],
      { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, LOG_LEVEL: 'warn' } },
    );
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (out += chunk.toString()));
    const exited = new Promise<number | null>((resolve) =>
      child.on('exit', (code) => resolve(code)),
    );
    try {
      await eventually(
        () => out.includes('Ctrl-C to stop'),
        () => `the demo did not start:\n${out}`,
        30_000,
      );
      expect(out).toContain('3 jobs sent over 2 s');
      await eventually(
        () => out.includes('all 3 jobs completed'),
        () => `the jobs did not complete:\n${out}`,
        45_000,
      );
      // Done, and still serving: the status page answers with the demo's token.
      await new Promise((r) => setTimeout(r, 500));
      const page = await fetch(`http://127.0.0.1:${port}/status.json`, {
        headers: { authorization: 'Bearer demo-status-token-not-a-secret' },
      });
      expect(page.status).toBe(200);
      const snapshot = (await page.json()) as { history: unknown[] };
      expect(snapshot.history.length).toBeGreaterThan(0);
      expect(child.exitCode).toBeNull();
    } finally {
      child.kill('SIGINT');
    }
    expect(await exited).toBe(0);
  }, 90_000);
});
