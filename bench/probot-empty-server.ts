/**
 * The floor of the answer time with Probot: the same Probot Server, logger and Octokit as the
 * real server, verifying each signature, with a `workflow_job` handler that does nothing (no
 * ledger, no controller). The bench fires the same burst at it as at the real server, so the
 * difference between the two is this app's own work per webhook.
 *
 * Configuration from the environment: APP_ID, PRIVATE_KEY, WEBHOOK_SECRET, PORT, LOG_LEVEL.
 */
import { Probot, Server } from 'probot';
import { createLogger } from '../src/create-logger.js';
import { AppOctokit } from '../src/github/app-octokit.js';

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
await server.load((app) => {
  app.on('workflow_job', () => Promise.resolve());
});
await server.start();
process.send?.({ ready: server.port });
process.once('SIGTERM', () => void server.stop().then(() => process.exit(0)));
