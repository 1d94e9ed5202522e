import { createServer, request, type IncomingMessage, type ServerResponse } from 'node:http';

export interface LoadBalancer {
  readonly url: string;
  /** Requests sent to each backend. */
  readonly sent: Map<string, number>;
  close(): Promise<void>;
}

/**
 * What a load balancer in front of the replicas does: round robin over the backends whose
 * `/healthz` answered within `healthTimeoutMs` at the last check (every `healthEveryMs`), and
 * the next backend when one refuses the connection. A backend that stops answering (paused) is
 * left out from its next failed check; requests already sent to it wait for it.
 */
export async function startLoadBalancer(
  backends: readonly string[],
  options: { readonly healthEveryMs?: number; readonly healthTimeoutMs?: number } = {},
): Promise<LoadBalancer> {
  const healthy = new Map(backends.map((b) => [b, true]));
  const sent = new Map(backends.map((b) => [b, 0]));
  let next = 0;
  const check = async (backend: string) => {
    try {
      const res = await fetch(`${backend}/healthz`, {
        signal: AbortSignal.timeout(options.healthTimeoutMs ?? 300),
      });
      healthy.set(backend, res.ok);
    } catch {
      healthy.set(backend, false);
    }
  };
  const timer = setInterval(() => {
    for (const b of backends) void check(b);
  }, options.healthEveryMs ?? 200);

  const pick = (exclude: ReadonlySet<string>): string | undefined => {
    for (let i = 0; i < backends.length; i++) {
      const b = backends[(next + i) % backends.length] as string;
      if (healthy.get(b) && !exclude.has(b)) {
        next = (next + i + 1) % backends.length;
        return b;
      }
    }
    return undefined;
  };

  const forward = (req: IncomingMessage, res: ServerResponse, body: Buffer, tried: Set<string>) => {
    const backend = pick(tried);
    if (backend === undefined) {
      res.writeHead(502).end('no healthy backend');
      return;
    }
    tried.add(backend);
    sent.set(backend, (sent.get(backend) ?? 0) + 1);
    const target = new URL(req.url ?? '/', backend);
    const upstream = request(
      target,
      { method: req.method, headers: { ...req.headers, host: target.host } },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', (error: NodeJS.ErrnoException) => {
      if (res.headersSent) return res.destroy();
      if (error.code === 'ECONNREFUSED') {
        healthy.set(backend, false);
        forward(req, res, body, tried);
      } else {
        res.writeHead(502).end(error.message);
      }
    });
    upstream.end(body);
  };

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => forward(req, res, Buffer.concat(chunks), new Set()));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    sent,
    async close() {
      clearInterval(timer);
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
