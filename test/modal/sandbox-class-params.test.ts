import { afterEach, describe, expect, it } from '@jest/globals';
import type { ModalClient } from 'modal';
import type { RunnerClass } from '../../src/config/runner-class.js';
import { parseRunnerClasses } from '../../src/config/runner-classes.js';
import { FALLBACK_ACTIONS_DOMAINS } from '../../src/github/actions-hosts.js';
import { ModalError } from '../../src/modal/modal-error.js';
import {
  createModalSandboxPlatform,
  type ModalSandboxPlatformOptions,
} from '../../src/modal/modal-sandbox-platform.js';
import { runnerCommand } from '../../src/modal/runner-entrypoint.js';
import { FakeModal, type FakeModalOptions } from '../../sim/modal/fake-modal.js';
import { createFakeModalClient } from '../../sim/modal/modal-client.js';

/** Classes as RUNNER_CLASSES gives them (through the zod schema). */
const classes = parseRunnerClasses(
  JSON.stringify({
    'modal-docker': { cpu: 4, memoryMiB: 16384, docker: true },
    'modal-dind': { docker: 'experimental' },
    'modal-locked': { egress: ['registry.npmjs.org', '*.pythonhosted.org', '10.1.0.0/16'] },
    'modal-github': { egress: 'github', egressAllow: ['registry.npmjs.org'] },
    'modal-offline': { egress: [] },
    modal: {},
  }),
);

function cls(name: string): RunnerClass {
  const found = classes.get(name);
  if (!found) throw new Error(`no class ${name}`);
  return found;
}

let fake: FakeModal;
let client: ModalClient;
let counter = 0;

function setup(
  fakeOptions: FakeModalOptions = {},
  platformOptions: Partial<ModalSandboxPlatformOptions> = {},
) {
  fake = new FakeModal(fakeOptions);
  client = createFakeModalClient(fake);
  return createModalSandboxPlatform({
    client,
    appName: 'modal-github-runner',
    runnerVersion: '2.330.0',
    defaultTimeoutMinutes: 60,
    dockerClasses: ['modal-docker', 'modal-dind'],
    ...platformOptions,
  });
}

function launch(runnerClass: RunnerClass) {
  counter += 1;
  const name = `${runnerClass.name}-abc123-${counter.toString(16).padStart(6, '0')}`;
  return {
    name,
    runnerClass,
    tags: { managedBy: 'm', runnerClass: runnerClass.name, runnerName: name, warm: false },
  };
}

/** The definition of the one SandboxCreateV2 request. */
function createdDefinition(): Record<string, unknown> {
  const requests = fake.requests('SandboxCreateV2');
  expect(requests).toHaveLength(1);
  return (requests[0] as { definition: Record<string, unknown> }).definition;
}

afterEach(() => {
  fake.close();
  client.close();
});

describe('docker classes on Modal', () => {
  it('docker: true asks for the VM runtime, an image with iptables, and the Docker entrypoint', async () => {
    const platform = setup();
    const { sandboxId } = await platform.createSandbox(launch(cls('modal-docker')));
    const definition = createdDefinition();
    expect(definition.runtime).toBe('vm');
    expect(definition.experimentalOptionsV2).toEqual({});
    expect(definition.networkAccess).toEqual({
      networkAccessType: 1, // OPEN
      allowedCidrs: [],
      allowedDomains: [],
    });
    expect(definition.entrypointArgs).toEqual(runnerCommand(cls('modal-docker')));
    expect((definition.entrypointArgs as string[])[2]).toContain('dockerd');
    expect(fake.requests('ImageGetOrCreate')).toEqual([
      expect.objectContaining({
        image: expect.objectContaining({
          dockerfileCommands: ['FROM ghcr.io/actions/actions-runner:2.330.0'],
        }),
      }),
      expect.objectContaining({
        image: expect.objectContaining({
          dockerfileCommands: [
            'FROM base',
            'USER root',
            'RUN apt-get update && apt-get install -y --no-install-recommends iptables && rm -rf /var/lib/apt/lists/*',
          ],
        }),
      }),
    ]);
    expect(fake.sandbox(sandboxId)).toMatchObject({ runtime: 'vm', kind: 'v2' });
  });

  it('docker: "experimental" asks for enable_docker on the default runtime', async () => {
    const platform = setup();
    const { sandboxId } = await platform.createSandbox(launch(cls('modal-dind')));
    const definition = createdDefinition();
    expect(definition.runtime).toBeUndefined();
    expect(definition.experimentalOptionsV2).toEqual({ enable_docker: 'true' });
    expect(fake.sandbox(sandboxId)?.experimentalOptions).toEqual({ enable_docker: 'true' });
  });

  it('a class without docker runs the plain entrypoint, whose shim names the Docker classes', async () => {
    const platform = setup();
    await platform.createSandbox(launch(cls('modal')));
    const definition = createdDefinition();
    expect(definition.runtime).toBeUndefined();
    expect(definition.experimentalOptionsV2).toEqual({});
    const script = (definition.entrypointArgs as string[])[2] ?? '';
    expect(script).not.toContain('dockerd');
    expect(script).toContain(
      'runner class modal has no Docker daemon (services, container jobs and Docker actions need one): use runs-on: modal-docker or modal-dind',
    );
  });

  it('a workspace without the VM runtime refuses the create, and the error says so', async () => {
    const platform = setup({ vmRuntime: false });
    const error = await platform.createSandbox(launch(cls('modal-docker'))).catch((e) => e);
    expect(error).toBeInstanceOf(ModalError);
    expect((error as ModalError).code).toBe('PERMISSION_DENIED');
    expect((error as ModalError).message).toContain('allowlisted workspaces');
    expect(fake.created).toHaveLength(0);
  });

  it('the fake refuses Docker with a GPU (the configuration never sends it)', async () => {
    const platform = setup();
    // Built by hand: RUNNER_CLASSES refuses this class (see runner-classes.test.ts).
    const gpuDocker: RunnerClass = {
      name: 'gpu-docker',
      cpu: 4,
      memoryMiB: 8192,
      gpu: 'T4',
      docker: true,
    };
    const error = await platform.createSandbox(launch(gpuDocker)).catch((e) => e);
    expect((error as ModalError).code).toBe('INVALID_ARGUMENT');
    expect(fake.requests('SandboxCreate')).toHaveLength(1);
    expect(fake.created).toHaveLength(0);
  });
});

describe('egress on Modal', () => {
  it('a list of hosts and CIDRs becomes the domain and CIDR allowlists', async () => {
    const platform = setup();
    const { sandboxId } = await platform.createSandbox(launch(cls('modal-locked')));
    expect(createdDefinition().networkAccess).toEqual({
      networkAccessType: 3, // ALLOWLIST
      allowedDomains: ['registry.npmjs.org', '*.pythonhosted.org'],
      allowedCidrs: ['10.1.0.0/16'],
    });
    expect(fake.sandbox(sandboxId)?.network.access).toBe('allowlist');
    const script = (createdDefinition().entrypointArgs as string[])[2] ?? '';
    expect(script).toContain(
      'this runner may connect only to: registry.npmjs.org *.pythonhosted.org 10.1.0.0/16',
    );
  });

  it('an empty list blocks the network', async () => {
    const platform = setup();
    await platform.createSandbox(launch(cls('modal-offline')));
    expect(createdDefinition().networkAccess).toEqual({
      networkAccessType: 2, // BLOCKED
      allowedDomains: [],
      allowedCidrs: [],
    });
  });

  it('"github" allows GitHub\'s Actions hosts as /meta gives them, plus egressAllow', async () => {
    const platform = setup(
      {},
      { githubHosts: async () => ['github.com', '*.actions.githubusercontent.com'] },
    );
    await platform.createSandbox(launch(cls('modal-github')));
    expect(createdDefinition().networkAccess).toEqual({
      networkAccessType: 3,
      allowedDomains: ['github.com', '*.actions.githubusercontent.com', 'registry.npmjs.org'],
      allowedCidrs: [],
    });
  });

  it('"github" without a /meta source uses the documented fallback list', async () => {
    const platform = setup();
    await platform.createSandbox(launch(cls('modal-github')));
    expect(createdDefinition().networkAccess).toMatchObject({
      allowedDomains: [...FALLBACK_ACTIONS_DOMAINS, 'registry.npmjs.org'],
    });
  });

  it('open egress (the default) asks /meta nothing', async () => {
    let asked = 0;
    const platform = setup({}, { githubHosts: async () => ((asked += 1), []) });
    await platform.createSandbox(launch(cls('modal')));
    expect(asked).toBe(0);
    expect(createdDefinition().networkAccess).toMatchObject({ networkAccessType: 1 });
  });
});
