import { afterEach, describe, expect, it } from '@jest/globals';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createReadinessHandler, type LoopLiveness } from '../../src/http/readiness-handler.js';

describe('the readiness handler', () => {
  let server: Server | undefined;
  afterEach(
    () => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())),
  );

  async function serve(options: Parameters<typeof createReadinessHandler>[0]): Promise<string> {
    const handler = createReadinessHandler(options);
    server = createServer((req, res) => {
      void handler(req, res).then((handled) => {
        if (!handled) res.writeHead(404).end();
      });
    });
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}/readyz`;
  }

  it('is not ready while the server starts (loops not running yet)', async () => {
    const url = await serve({ ledger: async () => {}, loops: () => undefined });
    const res = await fetch(url);
    expect(res.status).toBe(503);
    expect(await res.json()).toEqual({
      status: 'not ready',
      checks: {
        ledger: { status: 'ok' },
        loops: { all: { status: 'failing', error: 'not started yet (the server is starting)' } },
      },
    });
  });

  it('names a loop that is not alive, and why', async () => {
    const loops: LoopLiveness[] = [
      { name: 'controller', alive: true },
      { name: 'reconciler', alive: false, problem: 'no tick for 200 s (one every 60 s expected)' },
    ];
    const url = await serve({ ledger: async () => {}, loops: () => loops });
    const res = await fetch(url);
    expect(res.status).toBe(503);
    expect(((await res.json()) as { checks: unknown }).checks).toEqual({
      ledger: { status: 'ok' },
      loops: {
        controller: { status: 'ok' },
        reconciler: { status: 'failing', error: 'no tick for 200 s (one every 60 s expected)' },
      },
    });
  });

  it('is not ready when the ledger does not answer in time', async () => {
    const url = await serve({
      ledger: () => new Promise<void>(() => {}),
      loops: () => [],
      timeoutMs: 50,
    });
    const res = await fetch(url);
    expect(res.status).toBe(503);
    expect(((await res.json()) as { checks: { ledger: unknown } }).checks.ledger).toEqual({
      status: 'failing',
      error: 'no answer within 50 ms',
    });
  });

  it('answers HEAD with the status only, and leaves other paths alone', async () => {
    const url = await serve({ ledger: async () => {}, loops: () => [] });
    const head = await fetch(url, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(await head.text()).toBe('');
    expect((await fetch(url.replace('/readyz', '/other'))).status).toBe(404);
  });
});
