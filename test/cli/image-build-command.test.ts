import { describe, expect, it } from '@jest/globals';
import { Status } from 'nice-grpc-common';
import { imageBuildCommand } from '../../src/cli/image-build-command.js';
import { FakeModal } from '../../sim/modal/fake-modal.js';
import { createFakeModalClient } from '../../sim/modal/modal-client.js';
import { testPrivateKey } from '../../sim/harness.js';

const BASE_ENV = {
  APP_ID: '1',
  PRIVATE_KEY: testPrivateKey(),
  WEBHOOK_SECRET: 'image-build-secret-1',
  RUNNER_VERSION: '2.334.0',
  MODAL_APP_NAME: 'runners-under-test',
  RUNNER_CLASSES: JSON.stringify({
    modal: { cpu: 2, memoryMiB: 4096 },
    'modal-big': { cpu: 8, memoryMiB: 16384 },
    'modal-cuda': { cpu: 4, memoryMiB: 16384, gpu: 'A10G', image: 'ghcr.io/acme/cuda-runner:1' },
  }),
};

async function run(fake: FakeModal, env: Record<string, string> = BASE_ENV, args: string[] = []) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await imageBuildCommand(args, {
    env,
    modalClient: () => createFakeModalClient(fake),
    out: (t) => out.push(t),
    err: (t) => err.push(t),
  });
  return { code, out: out.join(''), err: err.join('') };
}

describe('modal-github-runner image build', () => {
  it('builds each distinct image once, in the configured Modal App, and exits 0', async () => {
    const fake = new FakeModal();
    const { code, out } = await run(fake);
    expect(code).toBe(0);
    const builds = fake.requests('ImageGetOrCreate') as {
      appId: string;
      image: { dockerfileCommands: string[] };
    }[];
    const froms = builds.map((b) => b.image.dockerfileCommands[0]);
    expect(froms).toEqual([
      'FROM ghcr.io/actions/actions-runner:2.334.0',
      'FROM ghcr.io/acme/cuda-runner:1',
    ]);
    const apps = fake.requests('AppGetOrCreate') as { appName: string }[];
    expect(apps.map((a) => a.appName)).toEqual(['runners-under-test']);
    expect(out).toContain('ghcr.io/actions/actions-runner:2.334.0 (modal, modal-big)');
    expect(out).toMatch(/built ghcr\.io\/acme\/cuda-runner:1 as im-\S+/);
    expect(out).toContain('All 2 image(s) built');
    fake.close();
  });

  it('a Docker class on the official image builds it with iptables, as its own image', async () => {
    const fake = new FakeModal();
    const classes = JSON.stringify({ modal: {}, 'modal-docker': { docker: true } });
    const { code, out } = await run(fake, { ...BASE_ENV, RUNNER_CLASSES: classes });
    expect(code).toBe(0);
    const builds = fake.requests('ImageGetOrCreate') as {
      image: { dockerfileCommands: string[] };
    }[];
    expect(builds.map((b) => b.image.dockerfileCommands)).toEqual([
      ['FROM ghcr.io/actions/actions-runner:2.334.0'],
      ['FROM ghcr.io/actions/actions-runner:2.334.0'],
      [
        'FROM base',
        'USER root',
        'RUN apt-get update && apt-get install -y --no-install-recommends iptables && rm -rf /var/lib/apt/lists/*',
      ],
    ]);
    expect(out).toContain('ghcr.io/actions/actions-runner:2.334.0 (modal)');
    expect(out).toContain(
      'ghcr.io/actions/actions-runner:2.334.0 + iptables for Docker (modal-docker)',
    );
    expect(out).toContain('All 2 image(s) built');
    fake.close();
  });

  it('a failing image: the others still build, the failure says how to fix it, exit 1', async () => {
    const fake = new FakeModal();
    fake.failImageBuild('ghcr.io/acme/cuda-runner:1', 'manifest unknown');
    const { code, out, err } = await run(fake);
    expect(code).toBe(1);
    expect(out).toContain('built ghcr.io/actions/actions-runner:2.334.0');
    expect(err).toContain('FAILED ghcr.io/acme/cuda-runner:1');
    expect(err).toContain("check the image of runner class 'modal-cuda'");
    expect(out).toContain('1 of 2 image(s) failed');
    fake.close();
  });

  it('bad Modal credentials: exit 1 with the credentials hint', async () => {
    const fake = new FakeModal();
    fake.failNext('AppGetOrCreate', Status.UNAUTHENTICATED, 1, { details: 'Invalid token' });
    const { code, err } = await run(fake);
    expect(code).toBe(1);
    expect(err).toContain('MODAL_TOKEN_ID / MODAL_TOKEN_SECRET');
    fake.close();
  });

  it('bad configuration: exit 2 naming the variable, nothing built', async () => {
    const fake = new FakeModal();
    const { code, err } = await run(fake, { ...BASE_ENV, RUNNER_VERSION: '2.300.0' });
    expect(code).toBe(2);
    expect(err).toContain('RUNNER_VERSION');
    expect(fake.requests('ImageGetOrCreate')).toEqual([]);
    fake.close();
  });
});
