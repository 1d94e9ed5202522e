/**
 * WEBHOOK_PROXY_URL through the real smee-client: a fake channel on loopback speaks
 * Server-Sent Events as smee.io does, and its events reach the server as signed deliveries.
 */
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import pino from 'pino';
import { startWebhookProxy } from '../../src/server/webhook-proxy.js';
import {
  eventually,
  LogCapture,
  startHarness,
  WEBHOOK_SECRET,
  type Harness,
} from '../../sim/harness.js';
import { sign, workflowJobPayload } from '../../sim/webhooks.js';

/** A smee.io-like channel: GET /channel streams events; `send` pushes one delivery. */
class FakeChannel {
  private server: Server | undefined;
  private streams: ServerResponse[] = [];
  /** Status answered to GET /channel; 200 streams events. */
  status = 200;

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      if (req.url !== '/channel' || this.status !== 200) {
        res.writeHead(this.status === 200 ? 404 : this.status).end('no such channel');
        return;
      }
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
      res.write('event: ready\ndata: {}\n\n');
      this.streams.push(res);
      req.on('close', () => (this.streams = this.streams.filter((s) => s !== res)));
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    return this;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server?.address() as AddressInfo).port}/channel`;
  }

  listeners(): number {
    return this.streams.length;
  }

  /** What smee.io sends for a GitHub delivery: its headers, its body and the query. */
  send(event: string, payload: Record<string, unknown>, secret = WEBHOOK_SECRET): void {
    const body = JSON.stringify(payload);
    const data = {
      'x-github-event': event,
      'x-github-delivery': `delivery-${Math.random()}`,
      'x-hub-signature-256': sign(secret, body),
      'content-type': 'application/json',
      body: payload,
      query: {},
      timestamp: Date.now(),
    };
    for (const stream of this.streams) stream.write(`data: ${JSON.stringify(data)}\n\n`);
  }

  async stop(): Promise<void> {
    for (const stream of this.streams) stream.end();
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }
}

describe('WEBHOOK_PROXY_URL', () => {
  let channel: FakeChannel;
  beforeAll(async () => {
    channel = await new FakeChannel().start();
  });
  afterAll(async () => channel.stop());

  let h: Harness | undefined;
  afterEach(async () => {
    await h?.stop();
    h = undefined;
    channel.status = 200;
  });

  it("forwards the channel's deliveries to the webhook path, and the log says so", async () => {
    h = await startHarness({ env: { WEBHOOK_PROXY_URL: channel.url } });
    const harness = h;
    expect(harness.logs.text).toContain(
      `forwarding webhook deliveries from ${channel.url} to ${harness.webhookUrl}`,
    );
    expect(channel.listeners()).toBe(1);
    harness.github.addJob({
      id: 41,
      runId: 410,
      repo: 'acme/api',
      labels: ['self-hosted', 'modal'],
    });
    channel.send('workflow_job', workflowJobPayload({ id: 41, repo: 'acme/api' }));
    await eventually(
      () => harness.modal.liveCount() === 1,
      'a runner launched for the forwarded job',
    );
    expect(await harness.server.ledger.getJob(41)).toMatchObject({ status: 'queued' });

    // A badly signed event is forwarded too, and refused by the server's signature check.
    channel.send('workflow_job', workflowJobPayload({ id: 42, repo: 'acme/api' }), 'wrong-secret');
    await eventually(
      () => harness.logs.text.includes(`POST ${harness.webhookUrl} - 400`),
      'the forwarded delivery with a bad signature was refused with 400',
    );
    expect(await harness.server.ledger.getJob(42)).toBeUndefined();

    await harness.stop();
    h = undefined;
    await eventually(() => channel.listeners() === 0, 'the proxy disconnected at stop');
  });

  it('says deliveries are NOT forwarded when the channel does not answer', async () => {
    channel.status = 404;
    h = await startHarness({ env: { WEBHOOK_PROXY_URL: channel.url } });
    const lines = h.logs.parsed().filter((l) => String(l.msg).includes('webhook proxy channel'));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ level: 50 });
    expect(String(lines[0]?.msg)).toContain(`${channel.url} did not answer`);
    expect(String(lines[0]?.msg)).toContain('do NOT reach this server');
    expect(h.logs.text).not.toContain('forwarding webhook deliveries');
  });

  it('says deliveries are NOT forwarded when smee-client is not installed', async () => {
    const logs = new LogCapture();
    const proxy = await startWebhookProxy({
      source: channel.url,
      target: 'http://127.0.0.1:1/api/github/webhooks',
      log: pino(logs.stream),
      loadClient: () => Promise.reject(new Error("Cannot find package 'smee-client'")),
    });
    expect(proxy.forwarding).toBe(false);
    const [line] = logs.parsed();
    expect(line).toMatchObject({ level: 50 });
    expect(String(line?.msg)).toContain('smee-client cannot be loaded');
    expect(String(line?.msg)).toContain('do NOT reach this server');
    expect(String(line?.msg)).toContain('npm install');
    expect(channel.listeners()).toBe(0);
  });
});
