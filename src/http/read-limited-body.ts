import type { IncomingMessage } from 'node:http';

export type LimitedBody =
  | { readonly ok: true; readonly body: Buffer }
  /** `too-large`: more than the limit arrived (reading stopped there); `aborted`: the client went away. */
  | { readonly ok: false; readonly reason: 'too-large' | 'aborted' };

/**
 * Reads a request body, counting the bytes as they stream in (a chunked body declares no
 * length). Past `maxBytes` it drops what it kept, stops reading and pauses the request, so that
 * memory never holds more than the limit whatever the client sends.
 */
export function readLimitedBody(req: IncomingMessage, maxBytes: number): Promise<LimitedBody> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const finish = (result: LimitedBody) => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onAborted);
      req.off('close', onAborted);
      resolve(result);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) {
        chunks.length = 0;
        req.pause();
        finish({ ok: false, reason: 'too-large' });
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => finish({ ok: true, body: Buffer.concat(chunks, size) });
    const onAborted = () => finish({ ok: false, reason: 'aborted' });
    req.on('data', onData);
    req.once('end', onEnd);
    req.once('error', onAborted);
    req.once('close', onAborted);
  });
}
