import { afterEach, describe, expect, it } from '@jest/globals';
import type { Config } from '../../src/config/config.js';
import { parseRunnerClasses } from '../../src/config/runner-classes.js';
import {
  classOptionsCheck,
  PROBE_IMAGE,
  PROBE_TIMEOUT_MS,
} from '../../src/doctor/class-options-check.js';
import type { DoctorContext } from '../../src/doctor/doctor-context.js';
import { FakeModal, type FakeModalOptions } from '../../sim/modal/fake-modal.js';
import { createFakeModalClient } from '../../sim/modal/modal-client.js';

const CLASSES = {
  modal: {},
  'modal-docker': { docker: true },
  'modal-dind': { docker: 'experimental' },
  'modal-locked': { egress: ['registry.npmjs.org', '10.0.0.0/8'] },
};

let fake: FakeModal;

/** The doctor's context for these classes: only what the check reads is real. */
function context(classes: Record<string, unknown>, options: FakeModalOptions = {}): DoctorContext {
  fake = new FakeModal(options);
  const config = {
    runners: { classes: parseRunnerClasses(JSON.stringify(classes)) },
    modal: { appName: 'modal-github-runner', environment: undefined },
  } as unknown as Config;
  return {
    config,
    modalClient: () => createFakeModalClient(fake),
    now: Date.now,
    skipImages: true,
    facts: {},
  } as unknown as DoctorContext;
}

afterEach(() => fake.close());

describe('doctor: runner class options', () => {
  it('creates one tiny sandbox per class with Docker or egress, with its options, and ends it', async () => {
    const results = await classOptionsCheck.run(context(CLASSES));
    expect(results.map((r) => [r.name, r.status, r.summary])).toEqual([
      ['class modal-docker', 'PASS', 'the workspace accepts the VM runtime (runtime: "vm")'],
      [
        'class modal-dind',
        'PASS',
        'the workspace accepts Docker in gVisor (experimental option enable_docker)',
      ],
      [
        'class modal-locked',
        'PASS',
        'the workspace accepts an outbound allowlist (outboundDomainAllowlist / outboundCidrAllowlist)',
      ],
    ]);
    expect(
      fake.created.map((s) => [
        s.name?.split('-').slice(0, -1).join('-'),
        s.runtime,
        s.experimentalOptions,
        s.network,
      ]),
    ).toEqual([
      ['doctor-modal-docker', 'vm', {}, { access: 'open', domains: [], cidrs: [] }],
      [
        'doctor-modal-dind',
        undefined,
        { enable_docker: 'true' },
        { access: 'open', domains: [], cidrs: [] },
      ],
      [
        'doctor-modal-locked',
        undefined,
        {},
        { access: 'allowlist', domains: ['registry.npmjs.org'], cidrs: ['10.0.0.0/8'] },
      ],
    ]);
    for (const sandbox of fake.created) {
      expect(sandbox).toMatchObject({
        imageTag: PROBE_IMAGE,
        timeoutSecs: PROBE_TIMEOUT_MS / 1000,
        milliCpu: 125,
        memoryMb: 256,
        command: ['sleep', '60'],
        tags: {},
      });
      expect(sandbox.result?.exception).toBe('Sandbox terminated');
    }
    expect(fake.liveCount()).toBe(0);
  });

  it('says what to ask Modal for when the workspace refuses the VM runtime or enable_docker', async () => {
    const results = await classOptionsCheck.run(
      context(CLASSES, { vmRuntime: false, enableDocker: false }),
    );
    const [vm, dind, locked] = results;
    expect(vm).toMatchObject({
      status: 'FAIL',
      summary: 'Modal refused the VM runtime (runtime: "vm") (PERMISSION_DENIED)',
    });
    expect(vm?.details?.join('\n')).toContain('restricted to allowlisted workspaces');
    expect(vm?.fix).toContain(
      'ask Modal (support or your shared Slack channel) to allowlist the workspace for VM Sandboxes',
    );
    expect(vm?.fix).toContain('jobs of modal-docker cannot start');
    expect(dind).toMatchObject({ status: 'FAIL' });
    expect(dind?.fix).toContain(
      'ask Modal to enable Docker in Sandboxes (enable_docker) for the workspace',
    );
    expect(locked?.status).toBe('PASS');
    expect(fake.liveCount()).toBe(0);
  });

  it('has nothing to say without such classes, and makes no client', async () => {
    let made = 0;
    const ctx = context({ modal: {} });
    const results = await classOptionsCheck.run({
      ...ctx,
      modalClient: (c) => {
        made += 1;
        return ctx.modalClient(c);
      },
    });
    expect(results).toEqual([]);
    expect(made).toBe(0);
  });
});
