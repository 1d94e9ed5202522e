/**
 * The floor of the answer time with Probot: the same Probot Server, logger and Octokit as the
 * real server, verifying each signature, with a `workflow_job` handler that does nothing (no
 * ledger, no controller). The bench fires the same burst at it as at the real server, so the
 * difference between the two is this app's own work per webhook.
 *
 * With DISPATCH_URL set, the handler also sends a gRPC call (@grpc/grpc-js, as the SDK reaches
 * Modal) to bench/dispatch-receiver.ts for one job in DISPATCH_EVERY (default: that module's
 * DISPATCH_EVERY, about the share of the real server's webhooks that start a launch during a
 * burst), without waiting for it: the floor of the dispatch overhead, what any Probot app's
 * request made in its handler takes to leave the process and arrive while the burst is answered.
 *
 * Configuration from the environment: APP_ID, PRIVATE_KEY, WEBHOOK_SECRET, PORT, LOG_LEVEL,
 * DISPATCH_URL, DISPATCH_EVERY.
 */
import { Client, credentials } from '@grpc/grpc-js';
import { Probot, Server } from 'probot';
import { createLogger } from '../src/create-logger.js';
import { AppOctokit } from '../src/github/app-octokit.js';
import {
  DISPATCH_EVERY,
  DISPATCH_PATH,
  decodeDispatch,
  dispatchesFor,
  encodeDispatch,
} from './dispatch-receiver.js';
import { nowMs } from './now-ms.js';

const env = (name: string): string => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is required`);
  return value;
};
const log = await createLogger({
  level: process.env.LOG_LEVEL ?? 'info',
  destination: process.stdout,
});
const server = new Server({
  Probot: Probot.defaults({
    appId: env('APP_ID'),
    privateKey: env('PRIVATE_KEY'),
    secret: env('WEBHOOK_SECRET'),
    log,
    Octokit: AppOctokit,
  }),
  host: '127.0.0.1',
  port: Number(env('PORT')),
  log,
});
const dispatchUrl = process.env.DISPATCH_URL;
const dispatchEvery = Number(process.env.DISPATCH_EVERY ?? DISPATCH_EVERY);
const dispatch = dispatchUrl ? new Client(dispatchUrl, credentials.createInsecure()) : undefined;
if (dispatch) {
  // Connected before the burst, as the real server's connection to Modal is after its warm-up.
  await new Promise<void>((resolve, reject) =>
    dispatch.waitForReady(Date.now() + 10_000, (error) => (error ? reject(error) : resolve())),
  );
}
await server.load((app) => {
  app.on('workflow_job', (context) => {
    const receivedAt = nowMs();
    const jobId = context.payload.workflow_job.id;
    if (dispatch && dispatchesFor(jobId, dispatchEvery)) {
      dispatch.makeUnaryRequest(
        DISPATCH_PATH,
        encodeDispatch,
        decodeDispatch,
        { jobId, receivedAt },
        () => undefined,
      );
    }
    return Promise.resolve();
  });
});
await server.start();
process.send?.({ ready: server.port });
process.once('SIGTERM', () => void server.stop().then(() => process.exit(0)));
