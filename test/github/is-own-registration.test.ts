import { describe, expect, it } from '@jest/globals';
import { isOwnRegistration } from '../../src/github/is-own-registration.js';
import type { RunnerInfo } from '../../src/github/runner-info.js';
import type { JitConfigRequest } from '../../src/ports/runner-registry.js';

const request: JitConfigRequest = {
  installationId: 7,
  scope: { kind: 'org', org: 'acme' },
  name: 'modal-prod-0123456789ab',
  labels: ['modal', 'Linux'],
  runnerGroupId: 3,
};

function runner(overrides: Partial<RunnerInfo> = {}): RunnerInfo {
  return {
    id: 1,
    name: request.name,
    status: 'offline',
    busy: false,
    labels: ['self-hosted', 'linux', 'modal'],
    runnerGroupId: 3,
    ephemeral: true,
    ...overrides,
  };
}

describe('isOwnRegistration', () => {
  it.each([
    ['every label (any case), our group, ephemeral', runner(), true],
    [
      'GitHub not saying the group or ephemerality',
      runner({ runnerGroupId: undefined, ephemeral: undefined }),
      true,
    ],
    ['a label missing', runner({ labels: ['self-hosted', 'modal'] }), false],
    ['another runner group', runner({ runnerGroupId: 1 }), false],
    ['not ephemeral', runner({ ephemeral: false }), false],
  ])('%s: %p', (_what, existing, expected) => {
    expect(isOwnRegistration(existing, request)).toBe(expected);
  });
});
