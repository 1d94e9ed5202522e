/** How GitHub lets repositories use a runner group; anything else GitHub may add is kept as is. */
export type RunnerGroupVisibility = 'all' | 'private' | 'selected' | (string & {});

/** A repository as runner groups and installations list it. */
export interface RepositoryRef {
  readonly id: number;
  /** `owner/name` */
  readonly fullName: string;
  /** False for a public repository; undefined when GitHub did not say. */
  readonly private: boolean | undefined;
}

/** An organization's self-hosted runner group (`GET /orgs/{org}/actions/runner-groups/{id}`). */
export interface RunnerGroup {
  readonly org: string;
  readonly id: number;
  readonly name: string;
  /** `all`: every repository of the org; `private`: its private ones; `selected`: `repositories`. */
  readonly visibility: RunnerGroupVisibility;
  /** The organization's Default group (id 1). */
  readonly isDefault: boolean;
  readonly allowsPublicRepositories: boolean;
  readonly restrictedToWorkflows: boolean;
  readonly selectedWorkflows: readonly string[];
  /** The repositories a `selected` group admits (every page); undefined for other visibilities. */
  readonly repositories: readonly RepositoryRef[] | undefined;
}

/** The page of a runner group in the organization's settings. */
export function runnerGroupSettingsUrl(
  group: Pick<RunnerGroup, 'org' | 'id'>,
  webOrigin = 'https://github.com',
): string {
  return `${webOrigin}/organizations/${group.org}/settings/actions/runner-groups/${group.id}`;
}

/** `"modal" (RUNNER_GROUP_ID=5) of acme`: a group as messages name it. */
export function runnerGroupLabel(group: Pick<RunnerGroup, 'org' | 'id' | 'name'>): string {
  return `runner group "${group.name}" (RUNNER_GROUP_ID=${group.id}) of ${group.org}`;
}

/** One change to a runner group, as RUNNER_GROUP_SYNC makes it. */
export type RunnerGroupWrite =
  /** `PATCH /orgs/{org}/actions/runner-groups/{id}` */
  | {
      readonly kind: 'update';
      readonly visibility: 'selected';
      readonly allowsPublicRepositories: boolean;
    }
  /** `PUT /orgs/{org}/actions/runner-groups/{id}/repositories`: the whole list, replaced. */
  | { readonly kind: 'set-repositories'; readonly repositoryIds: readonly number[] };
