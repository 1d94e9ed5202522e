/** How a FakeModal behaves: one option per part that reads it. */
export interface FakeModalOptions {
  /** When set, AuthTokenGet accepts only these credentials (UNAUTHENTICATED otherwise). */
  readonly credentials?: { readonly tokenId: string; readonly tokenSecret: string };
  /** When set, only these environment names exist ('' is always the default environment). */
  readonly environments?: readonly string[];
  /** Added before each SandboxCreate / SandboxCreateV2 (or any other RPC) answers. */
  readonly latencyMs?: Readonly<Record<string, number>>;
  /** How long a V1 sandbox stays unscheduled (SandboxGetTaskId returns no task yet). */
  readonly schedulingDelayMs?: number;
  /** Upper bound on how long a SandboxWait long-poll is held before answering "still running". */
  readonly longPollMs?: number;
  /** Page size of SandboxList / SandboxListV2. */
  readonly listPageSize?: number;
  /** `immediate`: ImageGetOrCreate answers with the result; `streaming`: via ImageJoinStreaming. */
  readonly imageBuild?: 'immediate' | 'streaming';
  readonly now?: () => number;
  /** false: the workspace is not allowlisted for the VM runtime (`runtime: "vm"` is refused). */
  readonly vmRuntime?: boolean;
  /** false: the workspace may not use the `enable_docker` experimental option. */
  readonly enableDocker?: boolean;
}
