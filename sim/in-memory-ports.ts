/**
 * In-memory implementations of the ports the controller and the reconciler use
 * (`src/ports/`): a GitHub (`RunnerRegistry` and `ReconcileGitHub` over one set of
 * registrations) and a Modal (`SandboxPlatform`). No I/O and no timers, so a unit test drives
 * them with the memory ledger and a fake clock. Every call is recorded, in order, in one log
 * shared by both (`PortLog`); a test can make chosen calls fail, or run a hook before a call
 * answers (to change the world while the code under test is between two steps).
 */
import { InMemoryGitHub } from './in-memory-github.js';
import { InMemorySandboxPlatform } from './in-memory-sandbox-platform.js';
import { PortLog } from './port-log.js';

/** Both fakes over one call log. */
export function createInMemoryPorts(): {
  log: PortLog;
  github: InMemoryGitHub;
  platform: InMemorySandboxPlatform;
} {
  const log = new PortLog();
  return { log, github: new InMemoryGitHub(log), platform: new InMemorySandboxPlatform(log) };
}
