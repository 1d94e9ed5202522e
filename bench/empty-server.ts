/**
 * The floor of the answer time on this machine: a Node HTTP server in its own process that
 * reads each request and answers 200 at once, with no signature check, no parsing and no
 * ledger. The bench fires the same burst at it as at the real server.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

const server = createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end('ok');
  });
});
server.listen(0, '127.0.0.1', () => {
  process.send?.({ ready: (server.address() as AddressInfo).port });
});
process.once('SIGTERM', () => server.close(() => process.exit(0)));
