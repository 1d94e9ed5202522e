/**
 * The real server as its own process, for the crash scenario and the benchmark: configuration
 * from the environment like `src/main.ts`, Modal reached through a bridge to the fake Modal in
 * the parent process (FAKE_MODAL_BRIDGE_URL), timings from SIM_TUNING (JSON).
 */
import { loadConfig } from '../../src/config/config.js';
import { createLogger } from '../../src/create-logger.js';
import { startServer, type Tuning } from '../../src/start-server.js';
import { bridgeTransport } from './fake-modal-bridge.js';
import { createModalClientOver } from './fake-modal.js';

const bridgeUrl = process.env.FAKE_MODAL_BRIDGE_URL;
if (!bridgeUrl) throw new Error('FAKE_MODAL_BRIDGE_URL is required');
const config = loadConfig(process.env);
const log = await createLogger({ level: config.server.logLevel, destination: process.stdout });
const tuning = JSON.parse(process.env.SIM_TUNING ?? '{}') as Tuning;
const running = await startServer({
  config,
  log,
  modalClient: createModalClientOver(bridgeTransport(bridgeUrl)),
  tuning,
});
process.send?.({ ready: running.url });
process.once('SIGTERM', () => {
  void running.stop().then(() => process.exit(0));
});
// The benchmark asks for the process's memory breakdown (`{ usage: true }` over IPC).
process.on('message', (message: unknown) => {
  if ((message as { usage?: unknown } | null)?.usage === true) {
    process.send?.({ usage: process.memoryUsage() });
  }
});
