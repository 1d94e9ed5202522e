import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { statusCommand, type StatusCommandDeps } from '../../src/cli/status-command.js';
import {
  eventually,
  freePort,
  startHarness,
  WEBHOOK_SECRET,
  type Harness,
} from '../../sim/harness.js';
import { sendWebhook, workflowJobPayload } from '../../sim/webhooks.js';

const TOKEN = 'cli-status-token-0123456789abcdef';

function run(args: string[], env: Record<string, string | undefined>) {
  const out: string[] = [];
  const err: string[] = [];
  const deps: StatusCommandDeps = {
    env,
    fetch: globalThis.fetch,
    out: (t) => out.push(t),
    err: (t) => err.push(t),
  };
  return statusCommand(args, deps).then((code) => ({ code, out: out.join(''), err: err.join('') }));
}

describe('modal-github-runner status', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ env: { STATUS_TOKEN: TOKEN, MAX_RUNNERS: '1' } });
    for (const id of [1, 2]) {
      h.github.addJob({ id, runId: id * 10, repo: 'acme/api', labels: ['self-hosted', 'modal'] });
      await sendWebhook(h.webhookUrl, WEBHOOK_SECRET, workflowJobPayload({ id, repo: 'acme/api' }));
    }
    await eventually(() => h.modal.liveCount() === 1, 'one sandbox live');
    await h.server.controller.settled();
  });
  afterAll(async () => h.stop());

  it('prints the live runner and the queue with why the second job waits', async () => {
    const { code, out, err } = await run(['--url', h.server.url], { STATUS_TOKEN: TOKEN });
    expect(err).toBe('');
    expect(code).toBe(0);
    expect(out).toContain('live runners 1/1 (modal 1), queued jobs 2');
    const sandboxId = h.modal.live()[0]?.sandboxId as string;
    expect(out).toContain(sandboxId);
    expect(out).toMatch(/2\s+2\s+acme\/api\s+modal\s+\S+\s+MAX_RUNNERS reached/);
    expect(out).not.toContain(TOKEN);
  });

  it('prints text from workflow files and GitHub without its control characters', async () => {
    // A label and a repository name that would clear the screen, set the window title, ring
    // the bell and start a forged line if printed as they are.
    // (The app reports labels in lower case, as GitHub compares them.)
    const label = 'gpu\u001b[2j\u001b]0;pwned\u0007\nfake  line';
    const repo = 'acme/\u001b[31mred\u001b[0m\u202eapi';
    const answer = await sendWebhook(
      h.webhookUrl,
      WEBHOOK_SECRET,
      workflowJobPayload({ id: 77, repo, labels: ['self-hosted', 'modal', label] }),
    );
    expect(answer.status).toBe(200);
    const json = await run(['--url', h.server.url, '--json'], { STATUS_TOKEN: TOKEN });
    // The server reports the text as it came; the terminal output must not carry it as is.
    expect(json.out).toContain('\\u001b[2j');

    const { code, out } = await run(['--url', h.server.url], { STATUS_TOKEN: TOKEN });
    expect(code).toBe(0);
    expect(out).toMatch(/refused\s+acme\/redapi#77\s+labels "gpu fake {2}line"/);
    // No control character but the line ends, no bidirectional override.
    const controls = [...out].filter((c) => {
      const code = c.codePointAt(0) ?? 0;
      return (code < 0x20 && c !== '\n') || (code >= 0x7f && code <= 0x9f) || c === '\u202e';
    });
    expect(controls).toEqual([]);
    expect(out.split('\n').filter((l) => l.startsWith('fake'))).toEqual([]);
  });

  it('finds the server on localhost:$PORT by default', async () => {
    const { code } = await run([], { STATUS_TOKEN: TOKEN, PORT: new URL(h.server.url).port });
    // The harness binds 127.0.0.1; localhost may resolve to ::1 first, which Node falls back from.
    expect(code).toBe(0);
  });

  it('--json prints the snapshot', async () => {
    const { code, out } = await run(['--url', h.server.url, '--json'], { STATUS_TOKEN: TOKEN });
    expect(code).toBe(0);
    expect(JSON.parse(out)).toMatchObject({ summary: { liveRunners: 1, queuedJobs: 2 } });
  });

  it('a wrong token: exit 1 and says the tokens must match', async () => {
    const { code, err } = await run(['--url', h.server.url], {
      STATUS_TOKEN: 'wrong-token-0123456789',
    });
    expect(code).toBe(1);
    expect(err).toContain("must equal the server's STATUS_TOKEN");
    expect(err).not.toContain('wrong-token-0123456789');
  });

  it('no token: exit 2 and says where to set it', async () => {
    const { code, err } = await run(['--url', h.server.url], {});
    expect(code).toBe(2);
    expect(err).toContain('STATUS_TOKEN is not set');
  });

  it('a --url without a scheme: exit 2 and says the scheme is missing', async () => {
    const port = new URL(h.server.url).port;
    const { code, err, out } = await run(['--url', `localhost:${port}`], { STATUS_TOKEN: TOKEN });
    expect(code).toBe(2);
    expect(out).toBe('');
    expect(err).toBe(
      `--url localhost:${port} has no scheme: give the server's address with its scheme, e.g. --url http://localhost:${port}\n`,
    );
    const ftp = await run(['--url', 'ftp://example.com'], { STATUS_TOKEN: TOKEN });
    expect(ftp.code).toBe(2);
    expect(ftp.err).toContain('has the scheme ftp, not http or https');
  });

  it('no server: exit 1 and says to check the address', async () => {
    const port = await freePort();
    const { code, err } = await run(['--url', `http://127.0.0.1:${port}`], { STATUS_TOKEN: TOKEN });
    expect(code).toBe(1);
    expect(err).toContain(`No answer from http://127.0.0.1:${port}`);
    expect(err).toContain('--url');
  });

  it('an unknown option: exit 2 with the usage', async () => {
    const { code, err } = await run(['--token', TOKEN], { STATUS_TOKEN: TOKEN });
    expect(code).toBe(2);
    expect(err).toContain('Usage: modal-github-runner status');
  });
});

describe('modal-github-runner status against a server without STATUS_TOKEN', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => h.stop());

  it('exit 1 and says to start the server with STATUS_TOKEN', async () => {
    const { code, err } = await run(['--url', h.server.url], { STATUS_TOKEN: TOKEN });
    expect(code).toBe(1);
    expect(err).toContain('start the server with STATUS_TOKEN set');
  });
});
