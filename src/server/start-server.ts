import type { Logger } from 'pino';
import type { Server } from 'probot';
import type { ModalClient } from 'modal';
import type { Config } from '../config/config.js';
import { systemClock, type Clock } from '../domain/clock.js';
import type { Ledger } from '../ledger/ledger.js';
import type { Leadership } from '../ports/leadership.js';
import { replicaLoops } from './background-loops.js';
import { buildServices } from './build-services.js';
import { createProbotServer } from './create-probot-server.js';
import type { LeaderTerms } from './leader-term.js';
import { startLoops, type RunningLoops } from './lifecycle.js';
import { openStorage, type Storage } from './open-storage.js';
import { fatalAtStart, RunnerGroupPolicyError } from '../reconciler/runner-group-guard.js';
import { proxyToServer } from './proxy-to-server.js';
import type { SmeeClientConstructor } from './webhook-proxy.js';

export interface RunningServer {
  readonly server: Server;
  readonly url: string;
  /** The controller of the leader term running in this process, if any. */
  readonly controller: LeaderTerms['controller'];
  readonly reconciler: LeaderTerms['reconciler'];
  readonly ledger: Ledger;
  readonly leadership: Leadership;
  stop(): Promise<void>;
}

export interface StartOptions {
  readonly config: Config;
  readonly log: Logger;
  readonly modalClient: ModalClient;
  readonly clock?: Clock;
  readonly ledger?: Ledger;
  /** Loads smee-client for WEBHOOK_PROXY_URL (tests replace it). */
  readonly loadSmeeClient?: () => Promise<SmeeClientConstructor>;
}

/**
 * The composition root's lifecycle: open the ledger, build every part once, serve HTTP, run this
 * replica's loops and campaign for leadership (a leader term recovers what the last leader left,
 * reconciles, then plans); stop in reverse. Used by `main.ts` and the tests.
 */
export async function startServer(options: StartOptions): Promise<RunningServer> {
  const { config, log } = options;
  const clock = options.clock ?? systemClock;
  for (const warning of config.warnings) {
    log.warn({ variable: warning.variable, fix: warning.fix }, warning.message);
  }
  const storage = await openStorage({
    config,
    log,
    clock,
    ...(options.ledger ? { ledger: options.ledger } : {}),
  });
  try {
    return await serve(options, storage, clock);
  } catch (error) {
    await storage.close();
    throw error;
  }
}

async function serve(
  options: StartOptions,
  storage: Storage,
  clock: Clock,
): Promise<RunningServer> {
  const { config, log } = options;
  const services = buildServices({
    config,
    log,
    clock,
    modalClient: options.modalClient,
    storage,
  });
  // Before the first webhook: a runner group that lets public repositories reach the runners
  // against ALLOW_PUBLIC_REPOS stops the start (a group GitHub cannot show now is re-checked).
  const fatal = fatalAtStart(await services.runnerGroupGuard.check());
  if (fatal.length > 0) throw new RunnerGroupPolicyError(fatal);
  // /readyz reads the loops' liveness (this replica's, and its leader term's while it leads);
  // until they run it answers not ready.
  let loops: RunningLoops | undefined = undefined;
  const server = await createProbotServer(config, services, { log, clock }, () =>
    loops === undefined ? undefined : [...loops.health(), ...services.terms.health()],
  );
  await server.start();
  const url = `http://${server.host}:${server.port}`;
  const proxy = await proxyToServer(config, server, log, options.loadSmeeClient);
  const running = startLoops(
    replicaLoops(services.status, config, services.runnerVersion),
    log,
    clock,
  );
  loops = running;
  services.terms.start();
  return {
    server,
    url,
    controller: services.terms.controller,
    reconciler: services.terms.reconciler,
    ledger: services.ledger,
    leadership: services.leadership,
    async stop() {
      await proxy?.close();
      await server.stop();
      await services.terms.stop();
      await running.stop();
      await services.drainModal();
      await storage.close();
      options.modalClient.close();
    },
  };
}
