/**
 * The status page in real headless Chromium (or Chrome), driven by playwright-core; no browser
 * is downloaded. Without one on this machine (see find-chromium.ts) the suite is skipped with a
 * one-line notice; `.ci/run` and the GitHub workflow set REQUIRE_BROWSER=1 so CI never skips it.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { chromium, type Browser } from 'playwright-core';
import { eventually, startHarness, WEBHOOK_SECRET, type Harness } from '../../sim/harness.js';
import { sendWebhook, workflowJobPayload } from '../../sim/webhooks.js';
import { findChromium } from './find-chromium.js';

const browserLookup = findChromium(process.env);
if (!browserLookup.found) process.stderr.write(`${browserLookup.notice}\n`);
const describeInBrowser = browserLookup.found ? describe : describe.skip;
const CHROMIUM = browserLookup.found ? browserLookup.path : '';
const TOKEN = 'browser-status-token-0123456789abcdef';

describeInBrowser('the /status page in headless Chromium', () => {
  let h: Harness;
  let browser: Browser;

  beforeAll(async () => {
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: [
        '--no-sandbox',
        '--headless',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    h = await startHarness({
      env: { STATUS_TOKEN: TOKEN, MAX_RUNNERS: '2', ALLOWED_REPOS: 'acme/*' },
      timings: { statusSampleMs: 50 },
    });
    for (const id of [1, 2, 3]) {
      h.github.addJob({ id, runId: id * 10, repo: 'acme/web', labels: ['self-hosted', 'modal'] });
      await sendWebhook(h.webhookUrl, WEBHOOK_SECRET, workflowJobPayload({ id, repo: 'acme/web' }));
    }
    await sendWebhook(
      h.webhookUrl,
      WEBHOOK_SECRET,
      workflowJobPayload({ id: 77, repo: 'outsider/"><img src=x onerror=alert(1)>' }),
    );
    await eventually(() => h.modal.liveCount() === 2, 'two sandboxes live');
    await h.server.controller.settled();
    await new Promise((r) => setTimeout(r, 200)); // a few chart samples
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await h?.stop();
  });

  it('asks for credentials and shows nothing without the token', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    // Headless Chromium gets the Basic challenge, has no one to ask, and cancels the load.
    await expect(page.goto(`${h.server.url}/status`)).rejects.toThrow(
      /ERR_INVALID_AUTH_CREDENTIALS/,
    );
    await page.waitForLoadState('load'); // Chromium's own error page
    expect(await page.locator('body').innerText()).not.toContain('acme/web');
    const response = await context.request.get(`${h.server.url}/status`);
    expect(response.status()).toBe(401);
    expect(response.headers()['www-authenticate']).toMatch(/^Basic realm=/);
    expect(await response.text()).not.toContain('acme/web');
    await context.close();
  });

  it('refuses a wrong password', async () => {
    const context = await browser.newContext({
      httpCredentials: { username: 'ops', password: 'wrong-token-0123456789' },
    });
    const page = await context.newPage();
    const response = await page.goto(`${h.server.url}/status`);
    expect(response?.status()).toBe(401);
    await context.close();
  });

  it('renders runners, the queue with reasons, failures and the chart, with no script and no error', async () => {
    const context = await browser.newContext({
      httpCredentials: { username: 'ops', password: TOKEN },
    });
    const page = await context.newPage();
    const consoleErrors: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') consoleErrors.push(m.text());
    });
    page.on('pageerror', (e) => consoleErrors.push(e.message));
    const response = await page.goto(`${h.server.url}/status`);
    expect(response?.status()).toBe(200);
    expect(await page.title()).toBe('modal-github-runner status');

    expect(await page.locator('#live-runners b').innerText()).toBe('2');
    expect(await page.locator('#queued-jobs b').innerText()).toBe('3');
    const runnerRows = page.locator('h2#runners + table tbody tr');
    expect(await runnerRows.count()).toBe(2);
    expect(await runnerRows.first().innerText()).toContain('acme/web');
    const queueRows = page.locator('h2#queue + table tbody tr');
    expect(await queueRows.count()).toBe(3);
    expect(await queueRows.nth(2).innerText()).toContain('MAX_RUNNERS reached');
    // The hostile repository name is shown as text, not markup.
    const failures = await page.locator('h2#failures + table').innerText();
    expect(failures).toContain('outsider/"><img src=x onerror=alert(1)>#77');
    expect(await page.locator('img').count()).toBe(0);

    const chart = page.locator('svg[role="img"]');
    expect(await chart.isVisible()).toBe(true);
    const box = await chart.boundingBox();
    expect(box?.width).toBeGreaterThan(300);
    const points = await chart.locator('polyline.live').getAttribute('points');
    expect((points ?? '').trim().split(' ').length).toBeGreaterThanOrEqual(2);

    expect(await page.locator('script').count()).toBe(0);
    expect(consoleErrors).toEqual([]);
    const html = await page.content();
    for (const secret of [TOKEN, WEBHOOK_SECRET, ...h.github.mintedJitConfigs]) {
      expect(html).not.toContain(secret);
    }
    if (process.env.STATUS_SCREENSHOT)
      await page.screenshot({ path: process.env.STATUS_SCREENSHOT, fullPage: true });
    await context.close();
  });
});
