/**
 * The runtime and network part of a SandboxCreate / SandboxCreateV2 request, as the fake Modal
 * reads and judges it: `runtime` ("gvisor", "vm" or unset), `experimentalOptionsV2`
 * (`enable_docker`) and `networkAccess` (open, blocked, or allowlists).
 *
 * What it refuses: an unknown runtime; the VM runtime or `enable_docker` in a workspace not
 * allowlisted for them (FakeModalOptions.vmRuntime / enableDocker false: PERMISSION_DENIED, as
 * Modal's docs say both are restricted); either of them with a GPU (INVALID_ARGUMENT). The last
 * is this project's reading of Modal's docs, which document Docker and the VM runtime for CPU
 * sandboxes only: the fake refuses it so the app never sends it.
 */
import { Status } from 'nice-grpc-common';
import type { FakeModalOptions } from './options.js';
import { asNumber, asRecord, asString, rpcError, stringMap } from './wire.js';

/** NetworkAccess.NetworkAccessType in Modal's protocol. */
const NETWORK_TYPES: Readonly<Record<number, SandboxNetwork['access']>> = {
  0: 'open',
  1: 'open',
  2: 'blocked',
  3: 'allowlist',
};

export interface SandboxNetwork {
  readonly access: 'open' | 'blocked' | 'allowlist';
  readonly domains: readonly string[];
  readonly cidrs: readonly string[];
}

export interface SandboxRuntime {
  /** `vm`, `gvisor`, or undefined when Modal picks (gVisor). */
  readonly runtime: string | undefined;
  /** `experimentalOptionsV2`, as strings (the SDK sends `"true"` for `true`). */
  readonly experimentalOptions: Readonly<Record<string, string>>;
  readonly network: SandboxNetwork;
}

function stringList(value: unknown): string[] {
  return Array.isArray(value) ? value.map(asString) : [];
}

function readNetwork(method: string, definition: Record<string, unknown>): SandboxNetwork {
  const access = asRecord(definition.networkAccess);
  const type = NETWORK_TYPES[asNumber(access.networkAccessType)];
  if (type === undefined) {
    throw rpcError(method, Status.INVALID_ARGUMENT, 'unknown network access type');
  }
  return {
    access: type,
    domains: stringList(access.allowedDomains),
    cidrs: stringList(access.allowedCidrs),
  };
}

export function readSandboxRuntime(
  method: string,
  definition: Record<string, unknown>,
  gpu: string | undefined,
  options: Pick<FakeModalOptions, 'vmRuntime' | 'enableDocker'>,
): SandboxRuntime {
  const runtime = asString(definition.runtime) || undefined;
  if (runtime !== undefined && runtime !== 'vm' && runtime !== 'gvisor') {
    throw rpcError(method, Status.INVALID_ARGUMENT, `unknown runtime '${runtime}'`);
  }
  const experimentalOptions = stringMap(definition.experimentalOptionsV2);
  const docker = experimentalOptions.enable_docker === 'true';
  if (runtime === 'vm' && options.vmRuntime === false) {
    throw rpcError(
      method,
      Status.PERMISSION_DENIED,
      'The VM runtime is restricted to allowlisted workspaces',
    );
  }
  if (docker && options.enableDocker === false) {
    throw rpcError(
      method,
      Status.PERMISSION_DENIED,
      'enable_docker is not enabled for this workspace',
    );
  }
  if (gpu !== undefined && (runtime === 'vm' || docker)) {
    throw rpcError(
      method,
      Status.INVALID_ARGUMENT,
      `GPUs are not supported with ${runtime === 'vm' ? 'the VM runtime' : 'enable_docker'}`,
    );
  }
  return { runtime, experimentalOptions, network: readNetwork(method, definition) };
}
