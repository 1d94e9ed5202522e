import { existsSync } from 'node:fs';
import { ConfigError } from './config/config-error.js';
import { hasAppCredentials, loadConfig } from './config/config.js';
import { maskConfig } from './config/mask-config.js';
import { createLogger } from './create-logger.js';
import { errorFields } from './domain/error-fields.js';
import { createModalClient } from './modal/modal-client.js';
import { startServer } from './server/start-server.js';
import { loadSetupConfig } from './config/setup-config.js';
import { updateEnvFile } from './setup/env-file.js';
import { startSetup } from './setup/start-setup.js';

async function main(): Promise<void> {
  if (existsSync('.env')) process.loadEnvFile('.env');

  if (!hasAppCredentials(process.env)) {
    // No App yet: the setup page (loopback only) registers the App from app.yml on GH_ORG's
    // account and writes APP_ID, PRIVATE_KEY and WEBHOOK_SECRET to .env. Restart afterwards.
    await setupMode();
    return;
  }

  const config = configOrExit(() => loadConfig(process.env));
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

/** The configuration, or the process ends with the message that names each bad variable. */
function configOrExit<T>(load: () => T): T {
  try {
    return load();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(1);
    }
    throw error;
  }
}

/** Serves the setup page until the process is stopped. */
async function setupMode(): Promise<void> {
  const config = configOrExit(() => loadSetupConfig(process.env));
  const log = await createLogger({ level: config.logLevel, logFormat: config.logFormat });
  const server = await startSetup({
    config,
    log,
    saveCredentials: (values) => updateEnvFile('.env', values),
  });
  const shutdown = () => {
    server.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGTERM', shutdown);
  process.once('SIGINT', shutdown);
}

main().catch((error: unknown) => {
  console.error(
    'modal-github-runner failed to start:',
    error instanceof Error ? error.message : error,
  );
  process.exit(1);
});
