import { afterEach, describe, expect, it } from '@jest/globals';
import type { ModalClient } from 'modal';
import { createModalSandboxPlatform } from '../../src/modal/modal-sandbox-platform.js';
import { JOB_RECORD_PATH } from '../../src/modal/runner-job-hook.js';
import { createSandboxJobRecords } from '../../src/modal/sandbox-job-records.js';
import { FakeModal } from '../../sim/modal/fake-modal.js';
import { createFakeModalClient } from '../../sim/modal/modal-client.js';

const tags = { managedBy: 'm', runnerName: 'modal-r1', runnerClass: 'modal', warm: true };

describe('createSandboxJobRecords (the real SDK on the fake Modal)', () => {
  let fake: FakeModal;
  let client: ModalClient;
  afterEach(() => {
    client.close();
    fake.close();
  });

  async function sandbox(): Promise<string> {
    fake = new FakeModal();
    client = createFakeModalClient(fake);
    const platform = createModalSandboxPlatform({
      client,
      appName: 'runners',
      runnerVersion: '2.334.0',
      defaultTimeoutMinutes: 60,
    });
    const runnerClass = { name: 'modal', cpu: 2, memoryMiB: 8192 };
    return (await platform.createSandbox({ name: 'modal-r1', runnerClass, tags })).sandboxId;
  }

  it('reads the record, undefined before the job started and after the sandbox ended', async () => {
    const id = await sandbox();
    const records = createSandboxJobRecords(client);
    expect(await records.read(id)).toBeUndefined();
    fake.files.append(id, JOB_RECORD_PATH, 'event=started repo=a/b run_id=1 run_attempt=1 job=x\n');
    expect(await records.read(id)).toBe('event=started repo=a/b run_id=1 run_attempt=1 job=x\n');
    fake.exit(id, 0);
    expect(await records.read(id)).toBeUndefined();
  });

  it('replaces the tags with the typed encoding, ran-* included', async () => {
    const id = await sandbox();
    const ranJob = { repo: 'acme/api', runId: 77, runAttempt: 2, job: 'lint' };
    await createSandboxJobRecords(client).setTags(id, { ...tags, ranJob });
    expect(fake.sandbox(id)?.tags).toEqual({
      'managed-by': 'm',
      'runner-name': 'modal-r1',
      'runner-class': 'modal',
      warm: 'true',
      'ran-repo': 'acme/api',
      'ran-run-id': '77',
      'ran-run-attempt': '2',
      'ran-job': 'lint',
    });
  });
});
