import type { RunnerScope } from '../domain/runner-scope.js';
import type { RunnerRef } from './runner-registry.js';

/** A runner registration as GitHub lists it. */
export interface Registration {
  readonly id: number;
  readonly name: string;
  readonly status: string;
  readonly busy: boolean;
}

export interface DeliveryInfo {
  readonly id: number;
  readonly guid: string;
  readonly deliveredAt: number;
  readonly statusCode: number;
  readonly event: string;
}

/** The GitHub calls reconciliation makes (implemented in `src/github/`). */
export interface ReconcileGitHub {
  listRunners(input: {
    installationId: number;
    scope: RunnerScope;
    namePrefix?: string;
  }): Promise<readonly Registration[]>;
  findRunnerByName(input: {
    installationId: number;
    scope: RunnerScope;
    name: string;
  }): Promise<Registration | undefined>;
  deleteRunner(input: RunnerRef): Promise<void>;
  listInstallations(): Promise<
    readonly { id: number; account: string; kind: 'org' | 'user'; suspended: boolean }[]
  >;
  getJob(input: {
    installationId: number;
    repo: string;
    jobId: number;
  }): Promise<{ status: string; conclusion: string | null; runnerName: string | null } | undefined>;
  /** One page of webhook deliveries, newest first; `nextCursor` reads the next (older) one. */
  listDeliveryPage(input: { cursor?: string }): Promise<{
    readonly deliveries: readonly DeliveryInfo[];
    readonly nextCursor: string | undefined;
  }>;
  redeliver(deliveryId: number): Promise<void>;
}
