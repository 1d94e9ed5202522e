import type { ServerResponse } from 'node:http';

/** Answers with a body that no cache keeps. */
export function send(
  res: ServerResponse,
  status: number,
  type: string,
  body: string,
  headers: Readonly<Record<string, string>> = {},
): void {
  res
    .writeHead(status, { 'content-type': type, 'cache-control': 'no-store', ...headers })
    .end(body);
}
