import type { RepositoryRef, RunnerGroup } from '../../src/github/runner-group.js';
import type { FakeRunnerGroup } from '../../sim/fake-github.js';

export const repo = (id: number, fullName: string, isPrivate = true): RepositoryRef => ({
  id,
  fullName,
  private: isPrivate,
});

/** Runner group 5 "modal" of acme as `readRunnerGroup` returns it, `all` unless overridden. */
export function runnerGroup(overrides: Partial<RunnerGroup> = {}): RunnerGroup {
  return {
    org: 'acme',
    id: 5,
    name: 'modal',
    visibility: 'all',
    isDefault: false,
    allowsPublicRepositories: false,
    restrictedToWorkflows: false,
    selectedWorkflows: [],
    repositories: undefined,
    ...overrides,
  };
}

/** The same group as the fake GitHub holds it. */
export function fakeRunnerGroup(overrides: Partial<FakeRunnerGroup> = {}): FakeRunnerGroup {
  return {
    org: 'acme',
    id: 5,
    name: 'modal',
    visibility: 'all',
    default: false,
    allows_public_repositories: false,
    restricted_to_workflows: false,
    selected_workflows: [],
    repositories: [],
    ...overrides,
  };
}
