import type { RunnerScope } from '../src/domain/runner-scope.js';
import { scopeKey } from '../src/domain/runner-scope.js';
import type { DeliveryInfo, ReconcileGitHub, Registration } from '../src/ports/reconcile-github.js';
import type {
  JitConfig,
  JitConfigRequest,
  RunnerRef,
  RunnerRegistry,
} from '../src/ports/runner-registry.js';
import { PortLog } from './port-log.js';

/** The error GitHub's adapter throws when a runner cannot be deleted because it runs a job. */
export function runnerBusyError(): Error {
  return Object.assign(new Error('Bad request - Runner is currently running a job'), {
    status: 422,
    runnerBusy: true,
  });
}

export interface InMemoryRegistration extends Registration {
  readonly scope: RunnerScope;
  readonly installationId: number;
  readonly labels: readonly string[];
  status: 'online' | 'offline';
  busy: boolean;
}

export interface InMemoryInstallation {
  readonly id: number;
  readonly account: string;
  readonly kind: 'org' | 'user';
  readonly suspended: boolean;
}

type GitHubJob = { status: string; conclusion: string | null; runnerName: string | null };

/**
 * GitHub as the controller (`RunnerRegistry`) and the reconciler (`ReconcileGitHub`) see it.
 * Minting registers a runner (offline, not busy); deleting a busy one throws a
 * `runnerBusyError`; deleting one that is gone succeeds.
 */
export class InMemoryGitHub implements RunnerRegistry, ReconcileGitHub {
  readonly registrations = new Map<number, InMemoryRegistration>();
  installations: InMemoryInstallation[] = [];
  readonly jobs = new Map<number, GitHubJob>();
  /** Webhook deliveries, in any order; listed newest first. */
  deliveries: DeliveryInfo[] = [];
  deliveryPageSize = 100;
  readonly redelivered: number[] = [];
  #nextRunnerId = 1000;

  constructor(readonly log: PortLog = new PortLog()) {}

  /** Adds a registration directly (one that exists before the test starts). */
  register(
    fields: Omit<InMemoryRegistration, 'id' | 'status' | 'busy' | 'labels'> & {
      id?: number;
      status?: 'online' | 'offline';
      busy?: boolean;
    },
  ): InMemoryRegistration {
    const registration: InMemoryRegistration = {
      labels: [],
      status: 'offline',
      busy: false,
      ...fields,
      id: fields.id ?? this.#nextRunnerId++,
    };
    this.registrations.set(registration.id, registration);
    return registration;
  }

  byName(name: string): InMemoryRegistration | undefined {
    return [...this.registrations.values()].find((r) => r.name === name);
  }

  async generateJitConfig(request: JitConfigRequest): Promise<JitConfig> {
    await this.log.enter('github.generateJitConfig', request);
    const registration = this.register({
      name: request.name,
      scope: request.scope,
      installationId: request.installationId,
    });
    return { runnerId: registration.id, encodedJitConfig: `jit-config-of-${request.name}` };
  }

  async deleteRunner(input: RunnerRef): Promise<void> {
    await this.log.enter('github.deleteRunner', input);
    const registration = this.registrations.get(input.runnerId);
    if (registration?.busy) throw runnerBusyError();
    this.registrations.delete(input.runnerId);
  }

  async listRunners(input: {
    installationId: number;
    scope: RunnerScope;
    namePrefix?: string;
  }): Promise<readonly Registration[]> {
    await this.log.enter('github.listRunners', input);
    return [...this.registrations.values()]
      .filter((r) => scopeKey(r.scope) === scopeKey(input.scope))
      .filter((r) => r.name.startsWith(input.namePrefix ?? ''))
      .map(({ id, name, status, busy }) => ({ id, name, status, busy }));
  }

  async findRunnerByName(input: {
    installationId: number;
    scope: RunnerScope;
    name: string;
  }): Promise<Registration | undefined> {
    await this.log.enter('github.findRunnerByName', input);
    const found = [...this.registrations.values()].find(
      (r) => r.name === input.name && scopeKey(r.scope) === scopeKey(input.scope),
    );
    return found && { id: found.id, name: found.name, status: found.status, busy: found.busy };
  }

  async listInstallations(): Promise<readonly InMemoryInstallation[]> {
    await this.log.enter('github.listInstallations', {});
    return this.installations;
  }

  async getJob(input: { installationId: number; repo: string; jobId: number }) {
    await this.log.enter('github.getJob', input);
    return this.jobs.get(input.jobId);
  }

  /** Newest first, `deliveryPageSize` a page; the cursor is the index of the page's first. */
  async listDeliveryPage(input: { cursor?: string }): Promise<{
    readonly deliveries: readonly DeliveryInfo[];
    readonly nextCursor: string | undefined;
  }> {
    await this.log.enter('github.listDeliveryPage', input);
    const newestFirst = [...this.deliveries].sort((a, b) => b.deliveredAt - a.deliveredAt);
    const start = Number(input.cursor ?? 0);
    const end = start + this.deliveryPageSize;
    return {
      deliveries: newestFirst.slice(start, end),
      nextCursor: end < newestFirst.length ? String(end) : undefined,
    };
  }

  async redeliver(deliveryId: number): Promise<void> {
    await this.log.enter('github.redeliver', { deliveryId });
    this.redelivered.push(deliveryId);
  }
}
