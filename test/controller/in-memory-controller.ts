import { pino } from 'pino';
import type { RunnerClass } from '../../src/config/runner-class.js';
import { createController, type Controller } from '../../src/controller/controller.js';
import type { ControllerSettings } from '../../src/controller/controller-context.js';
import { createRunnerLocks } from '../../src/controller/runner-locks.js';
import type { Ledger } from '../../src/ledger/ledger.js';
import { createMemoryLedger } from '../../src/ledger/memory-ledger.js';
import { noMetrics } from '../../src/ports/metrics.js';
import { FakeClock, flush } from '../../sim/fake-clock.js';
import type { InMemoryGitHub } from '../../sim/in-memory-github.js';
import { createInMemoryPorts } from '../../sim/in-memory-ports.js';
import type { InMemorySandboxPlatform } from '../../sim/in-memory-sandbox-platform.js';
import type { PortLog } from '../../sim/port-log.js';
import { controllerSettings } from './controller-fixtures.js';

/** A real controller over the memory ledger, in-memory GitHub and Modal, and a fake clock. */
export interface InMemoryController {
  readonly ledger: Ledger;
  readonly log: PortLog;
  readonly github: InMemoryGitHub;
  readonly platform: InMemorySandboxPlatform;
  /** `auto`: time moves only when something sleeps (retry backoff), by what it slept. */
  readonly clock: FakeClock;
  readonly controller: Controller;
}

/**
 * Runner names are `modal-<class>-1`, `-2`… in the order recorded; `random` is 0, so a backoff
 * is half its ceiling.
 */
export function inMemoryController(
  runnerClass: RunnerClass,
  settings: Partial<ControllerSettings> = {},
): InMemoryController {
  const ledger = createMemoryLedger();
  const { log, github, platform } = createInMemoryPorts();
  const clock = new FakeClock('auto');
  let n = 0;
  const controller = createController({
    ledger,
    registry: github,
    platform,
    classes: new Map([[runnerClass.name, runnerClass]]),
    locks: createRunnerLocks(),
    settings: controllerSettings(settings),
    metrics: noMetrics,
    clock,
    log: pino({ level: 'silent' }),
    random: () => 0,
    newRunnerName: (c) => `modal-${c}-${++n}`,
  });
  return { ledger, log, github, platform, clock, controller };
}

/** Lets plans, actions and exit watchers run until nothing moves. */
export async function settle(t: InMemoryController): Promise<void> {
  for (let i = 0; i < 5; i++) {
    await flush();
    await t.controller.settled();
  }
}
