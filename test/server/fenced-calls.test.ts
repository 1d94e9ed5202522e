import { describe, expect, it } from '@jest/globals';
import { isLeadershipLost } from '../../src/domain/leadership-lost.js';
import type { RunnerRegistry } from '../../src/ports/runner-registry.js';
import type { SandboxPlatform, SandboxSpec } from '../../src/ports/sandbox-platform.js';
import { fencedPlatform, fencedRegistry } from '../../src/server/fenced-calls.js';

function recordingPlatform(calls: string[]): SandboxPlatform {
  let n = 0;
  return {
    createSandbox: async (spec) => {
      calls.push(`create ${spec.name}`);
      return { sandboxId: `sb-${++n}` };
    },
    deliverConfig: async (id) => void calls.push(`deliver ${id}`),
    terminate: async (id) => void calls.push(`terminate ${id}`),
    list: async () => [],
  };
}

const spec = (name: string) => ({ name }) as unknown as SandboxSpec;
const scope = { kind: 'org', org: 'acme' } as const;

describe('a leader term fences its Modal and GitHub calls by its lease', () => {
  it('creates and terminates only while it trusts its lease, but may always undo what it made', async () => {
    const calls: string[] = [];
    let holds = true;
    const platform = fencedPlatform(recordingPlatform(calls), { epoch: 4, holds: () => holds });
    const mine = await platform.createSandbox(spec('r1'));
    holds = false; // paused past its lease; another replica leads now
    const refused = await platform.createSandbox(spec('r2')).catch((e: unknown) => e);
    expect(isLeadershipLost(refused)).toBe(true);
    expect((refused as Error).message).toBe(
      'not leader any more (the lease of epoch 4 ran out); sandbox r2 was not created',
    );
    await expect(platform.terminate('sb-of-the-new-leader')).rejects.toThrow(/was not terminated/);
    await platform.terminate(mine.sandboxId); // its own: undoing a launch stays possible
    await platform.deliverConfig(mine.sandboxId, 'config');
    expect(calls).toEqual(['create r1', 'terminate sb-1', 'deliver sb-1']);
  });

  it('mints and deletes registrations only while it trusts its lease, except its own', async () => {
    const calls: string[] = [];
    let holds = true;
    const registry: RunnerRegistry = {
      generateJitConfig: async (r) => {
        calls.push(`mint ${r.name}`);
        return { runnerId: 11, encodedJitConfig: 'secret' };
      },
      deleteRunner: async (ref) => void calls.push(`delete ${ref.runnerId}`),
    };
    const fenced = fencedRegistry(registry, { epoch: 2, holds: () => holds });
    const request = { installationId: 7, scope, labels: [], runnerGroupId: 1 };
    await fenced.generateJitConfig({ ...request, name: 'r1' });
    holds = false;
    await expect(fenced.generateJitConfig({ ...request, name: 'r2' })).rejects.toThrow(
      /runner r2 was not registered/,
    );
    await expect(fenced.deleteRunner({ installationId: 7, scope, runnerId: 99 })).rejects.toThrow(
      /registration 99 was not deleted/,
    );
    await fenced.deleteRunner({ installationId: 7, scope, runnerId: 11 });
    expect(calls).toEqual(['mint r1', 'delete 11']);
  });
});
