/**
 * The real server as its own process, for the crash scenario and the benchmark: configuration
 * from the environment like `src/main.ts`, Modal reached through a bridge to the fake Modal in
 * the parent process (FAKE_MODAL_BRIDGE_URL), timings from SIM_TIMINGS (JSON).
 */
import { loadConfig, withTimings } from '../src/config/config.js';
import type { Timings } from '../src/config/timings.js';
import { createLogger } from '../src/create-logger.js';
import { startServer } from '../src/server/start-server.js';
import { bridgeTransport } from './modal/bridge.js';
import { createModalClientOver } from './modal/modal-client.js';

const bridgeUrl = process.env.FAKE_MODAL_BRIDGE_URL;
if (!bridgeUrl) throw new Error('FAKE_MODAL_BRIDGE_URL is required');
const timings = JSON.parse(process.env.SIM_TIMINGS ?? '{}') as Partial<Timings>;
const config = withTimings(loadConfig(process.env), timings);
const log = await createLogger({ level: config.server.logLevel, destination: process.stdout });
const running = await startServer({
  config,
  log,
  modalClient: createModalClientOver(bridgeTransport(bridgeUrl)),
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
