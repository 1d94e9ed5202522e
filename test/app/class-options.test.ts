import { afterEach, describe, expect, it } from '@jest/globals';
import { attachFakeRunners } from '../../sim/fake-runners.js';
import { eventually, startHarness, WEBHOOK_SECRET, type Harness } from '../../sim/harness.js';
import { sendWebhook, workflowJobPayload } from '../../sim/webhooks.js';

const CLASSES = JSON.stringify({
  modal: {},
  'modal-docker': { cpu: 4, memoryMiB: 16384, docker: true },
  'modal-locked': { egress: 'github', egressAllow: ['registry.npmjs.org'] },
  'modal-gpu': { gpu: 'T4' },
});

describe('Docker and egress classes through the server', () => {
  let h: Harness;
  afterEach(async () => h?.stop());

  it('each class gets its Modal parameters, a GPU class keeps V1, and the jobs run', async () => {
    h = await startHarness({ env: { RUNNER_CLASSES: CLASSES } });
    const runners = attachFakeRunners(h.github, h.modal, { bootMs: 5, jobMs: 20 });
    const jobs: [number, string][] = [
      [1, 'modal-docker'],
      [2, 'modal-locked'],
      [3, 'modal-gpu'],
      [4, 'modal'],
    ];
    for (const [id, cls] of jobs) {
      const labels = ['self-hosted', cls];
      h.github.addJob({ id, runId: id * 10, repo: 'acme/api', labels });
      await sendWebhook(h.webhookUrl, WEBHOOK_SECRET, workflowJobPayload({ id, labels }));
    }
    await eventually(
      () => [...h.github.jobs.values()].filter((j) => j.status === 'completed').length === 4,
      'four jobs completed',
    );
    runners.detach();
    const byClass = new Map(h.modal.created.map((s) => [s.tags['runner-class'], s]));

    expect(byClass.get('modal-docker')).toMatchObject({
      kind: 'v2',
      runtime: 'vm',
      experimentalOptions: {},
      network: { access: 'open' },
      milliCpu: 4000,
    });
    expect(byClass.get('modal-docker')?.command[2]).toContain('dockerd');

    // GitHub's hosts as the fake GitHub's /meta gives them, egressAllow, and the GHES host.
    const ghesHost = new URL(h.github.baseUrl).hostname;
    expect(byClass.get('modal-locked')).toMatchObject({
      kind: 'v2',
      runtime: undefined,
      network: {
        access: 'allowlist',
        domains: [...h.github.meta.domains.actions, 'registry.npmjs.org'],
        cidrs: [`${ghesHost}/32`],
      },
    });
    expect(h.github.requestsTo('GET', /^\/meta$/)).toHaveLength(1);

    expect(byClass.get('modal-gpu')).toMatchObject({
      kind: 'v1',
      gpu: 'T4',
      runtime: undefined,
      experimentalOptions: {},
      network: { access: 'open' },
    });
    expect(byClass.get('modal-gpu')?.command[2]).toContain(
      'runner class modal-gpu has no Docker daemon (services, container jobs and Docker actions need one): use runs-on: modal-docker',
    );
    expect(byClass.get('modal')?.command[2]).not.toContain('dockerd');
  });
});
