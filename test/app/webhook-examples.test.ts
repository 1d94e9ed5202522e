import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { eventually, startHarness, WEBHOOK_SECRET, type Harness } from '../../sim/harness.js';
import { sendWebhook, workflowJobExamples } from '../../sim/webhooks.js';

/**
 * Every workflow_job example GitHub documents, replayed over signed HTTP. The classes are
 * chosen so that the examples' own labels mean something: `k8s` is a class, `gpu` is a class
 * (but the example also asks for `db-app` and `dc-03`, which no runner of ours has).
 */
describe('GitHub example payloads', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({
      env: {
        RUNNER_CLASSES:
          '{"k8s":{"cpu":1,"memoryMiB":2048},"gpu":{"cpu":4,"memoryMiB":16384,"gpu":"T4"}}',
        ALLOW_PUBLIC_REPOS: 'true',
      },
    });
  });
  afterAll(async () => h.stop());

  const examples = workflowJobExamples();
  const withInstallation = (e: Record<string, unknown>) => ({
    installation: { id: 7, node_id: 'x' },
    ...e,
  });

  it('the package has the examples this test relies on', () => {
    const kinds = examples.map(
      (e) => `${e.action}/${(e.workflow_job as { status: string }).status}`,
    );
    expect(kinds).toEqual(
      expect.arrayContaining([
        'queued/queued',
        'queued/waiting',
        'waiting/waiting',
        'in_progress/in_progress',
        'completed/completed',
      ]),
    );
  });

  it.each(
    examples.map(
      (e, i) => [i, `${e.action}/${(e.workflow_job as { status: string }).status}`, e] as const,
    ),
  )('example %i (%s) is answered 2xx and launches nothing', async (_i, _kind, example) => {
    const res = await sendWebhook(h.webhookUrl, WEBHOOK_SECRET, withInstallation(example));
    expect(res.status).toBe(200);
    await h.server.controller.settled();
    expect(h.modal.created).toHaveLength(0);
    expect(h.github.requestsTo('POST', /generate-jitconfig/)).toHaveLength(0);
  });

  it('records the approval-gated k8s job as waiting, not queued', async () => {
    const gated = examples.find(
      (e) => e.action === 'queued' && (e.workflow_job as { status: string }).status === 'waiting',
    )!;
    const job = await h.server.ledger.getJob((gated.workflow_job as { id: number }).id);
    expect(job?.status).toBe('waiting');
    expect(job?.runnerClass).toBe('k8s');
    expect(job?.scope).toEqual({
      kind: 'repo',
      owner: (gated.repository as { owner: { login: string } }).owner.login,
      repo: (gated.repository as { name: string }).name,
    });
  });

  it('refuses the gpu job whose other labels no runner has, with the reason in the log', () => {
    const gpu = examples.find((e) =>
      (e.workflow_job as { labels: string[] }).labels.includes('gpu'),
    )!;
    expect(gpu.action).toBe('in_progress');
    expect(h.logs.text).not.toContain('"class":"gpu"');
  });

  it('launches the gated job once it is really queued', async () => {
    const gated = examples.find(
      (e) => e.action === 'queued' && (e.workflow_job as { status: string }).status === 'waiting',
    )!;
    const queued = structuredClone(gated);
    (queued.workflow_job as { status: string }).status = 'queued';
    const res = await sendWebhook(h.webhookUrl, WEBHOOK_SECRET, withInstallation(queued));
    expect(res.status).toBe(200);
    await eventually(() => h.modal.created[0]?.stdin.eof === true, 'sandbox configured');
    expect(h.modal.created[0]?.tags['runner-class']).toBe('k8s');
    const owner = (gated.repository as { owner: { login: string } }).owner.login;
    expect(
      h.github.requestsTo(
        'POST',
        new RegExp(`^/repos/${owner}/[^/]+/actions/runners/generate-jitconfig$`),
      ),
    ).toHaveLength(1);
  });

  it('refuses examples without an installation, logging why', async () => {
    const noInstallation = examples.find(
      (e) =>
        e.installation === undefined &&
        (e.workflow_job as { labels: string[] }).labels.includes('gpu'),
    );
    expect(noInstallation).toBeDefined();
    const queued = structuredClone(noInstallation!);
    queued.action = 'queued';
    (queued.workflow_job as { status: string; labels: string[] }).status = 'queued';
    (queued.workflow_job as { labels: string[] }).labels = ['gpu'];
    const before = h.modal.created.length;
    const res = await sendWebhook(h.webhookUrl, WEBHOOK_SECRET, queued);
    expect(res.status).toBe(200);
    await h.server.controller.settled();
    expect(h.modal.created).toHaveLength(before);
    expect(h.logs.text).toContain('payload has no installation');
  });
});
