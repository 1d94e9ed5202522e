import { existsSync } from 'node:fs';
import { run } from 'probot';
import { ConfigError } from './config/config-error.js';
import { hasAppCredentials, loadConfig, maskConfig } from './config/config.js';
import { createLogger } from './create-logger.js';
import { errorFields } from './domain/error-fields.js';
import { createModalClient } from './modal/modal-client.js';
import { startServer } from './server/start-server.js';

async function main(): Promise<void> {
  if (existsSync('.env')) process.loadEnvFile('.env');

  if (!hasAppCredentials(process.env)) {
    // No App yet: Probot serves its manifest setup page, which registers the App from app.yml
    // and writes APP_ID, PRIVATE_KEY and WEBHOOK_SECRET to .env. Restart afterwards.
    await run(() => {});
    return;
  }

  let config;
  try {
    config = loadConfig(process.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(1);
    }
    throw error;
  }
  const log = await createLogger({
    level: config.server.logLevel,
    logFormat:
      process.env.LOG_FORMAT === 'json' || process.env.LOG_FORMAT === 'pretty'
        ? process.env.LOG_FORMAT
        : undefined,
  });
  log.debug({ config: maskConfig(config) }, 'configuration');
  const running = await startServer({
    config,
    log,
    modalClient: createModalClient({ logger: log.child({ name: 'modal' }) }),
    webhookProxyUrl: process.env.WEBHOOK_PROXY_URL || undefined,
  });

  const shutdown = (signal: string) => {
    log.info({ signal }, 'shutting down');
    running.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        log.error({ err: errorFields(error) }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));
}

main().catch((error: unknown) => {
  console.error(
    'modal-github-runner failed to start:',
    error instanceof Error ? error.message : error,
  );
  process.exit(1);
});
