import { parseArgs } from 'node:util';
import { formatStatusText } from '../status/format-status-text.js';
import type { StatusSnapshot } from '../status/status-snapshot.js';
import { loadEnvFile } from './load-env-file.js';

export interface StatusCommandDeps {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly fetch: typeof fetch;
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
}

const HELP = `Usage: modal-github-runner status [--url http://host:port] [--json]

Prints what a running server is doing: live runners, queued jobs and why they wait, recent
failures. Reads GET <url>/status.json with the STATUS_TOKEN from the environment or .env
(never from the command line). --url defaults to http://localhost:$PORT (3000).
`;

/** `modal-github-runner status`: the status page's summary in the terminal. */
export async function statusCommand(
  args: readonly string[],
  deps: StatusCommandDeps = {
    env: (loadEnvFile(), process.env),
    fetch: globalThis.fetch,
    out: (t) => process.stdout.write(t),
    err: (t) => process.stderr.write(t),
  },
): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...args],
      options: {
        url: { type: 'string' },
        json: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    }));
  } catch (error) {
    deps.err(`${error instanceof Error ? error.message : String(error)}\n\n${HELP}`);
    return 2;
  }
  if (values.help) {
    deps.out(HELP);
    return 0;
  }
  const token = deps.env.STATUS_TOKEN;
  if (!token) {
    deps.err(
      'STATUS_TOKEN is not set: set it (in the environment or .env) to the token the server was started with.\n',
    );
    return 2;
  }
  const base = (values.url ?? `http://localhost:${deps.env.PORT || '3000'}`).replace(/\/+$/, '');
  const problem = urlProblem(base);
  if (problem) {
    deps.err(`--url ${base} ${problem}\n`);
    return 2;
  }
  let response: Response;
  try {
    response = await deps.fetch(`${base}/status.json`, {
      headers: { authorization: `Bearer ${token}`, accept: 'application/json' },
      signal: AbortSignal.timeout(10_000),
    });
  } catch (error) {
    const reason =
      error instanceof Error
        ? error.cause instanceof Error
          ? error.cause.message
          : error.message
        : String(error);
    deps.err(
      `No answer from ${base} (${reason}): is the server running? Pass its address with --url.\n`,
    );
    return 1;
  }
  if (response.status === 401) {
    deps.err(
      `${base} refused the token: STATUS_TOKEN here must equal the server's STATUS_TOKEN.\n`,
    );
    return 1;
  }
  if (response.status === 404) {
    deps.err(`${base} has no status page: start the server with STATUS_TOKEN set.\n`);
    return 1;
  }
  if (!response.ok) {
    deps.err(`${base}/status.json answered ${response.status}; see the server log.\n`);
    return 1;
  }
  const snapshot = (await response.json()) as StatusSnapshot;
  deps.out(values.json ? `${JSON.stringify(snapshot, null, 2)}\n` : formatStatusText(snapshot));
  return 0;
}

/** What is wrong with a `--url`, or undefined: it needs an http(s) scheme and a host. */
function urlProblem(url: string): string | undefined {
  const fix = `: give the server's address with its scheme, e.g. --url http://${url.replace(/^[a-z][a-z0-9+.-]*:\/\//i, '') || 'localhost:3000'}`;
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(url)) return `has no scheme${fix}`;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return `is not a URL${fix}`;
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    return `has the scheme ${parsed.protocol.slice(0, -1)}, not http or https${fix}`;
  }
  return undefined;
}
