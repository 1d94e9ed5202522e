import { translateGitHubError } from './translate-github-error.js';
import { readPages } from './rest-pages.js';
import { listItems, totalCountOf, type RestClient } from './rest-response.js';
import type { RepositoryRef } from './runner-group.js';

/** 10 000 repositories: only stops a server that pages forever. */
const MAX_PAGES = 100;

/** One element of a `repositories` list, as GitHub sends it. */
export interface RepositoryData {
  readonly id?: unknown;
  readonly full_name?: unknown;
  readonly private?: unknown;
}

/** A repository of a list, or undefined when GitHub left out its id or name. */
export function toRepositoryRef(data: RepositoryData): RepositoryRef | undefined {
  if (typeof data.id !== 'number' || typeof data.full_name !== 'string') return undefined;
  return {
    id: data.id,
    fullName: data.full_name,
    private: typeof data.private === 'boolean' ? data.private : undefined,
  };
}

/**
 * Every repository an installation can see (`GET /installation/repositories`, all pages), through
 * that installation's client. Errors are thrown as GitHubErrors.
 */
export async function listInstallationRepositories(
  client: RestClient,
  options: { readonly now?: () => number } = {},
): Promise<RepositoryRef[]> {
  try {
    const read = await readPages<RepositoryData>({
      form: 'page',
      perPage: 100,
      maxPages: MAX_PAGES,
      fetch: ({ page }) =>
        client.request('GET /installation/repositories', { per_page: 100, page }),
      items: (response) =>
        listItems<RepositoryData>(response, 'list-installation-repositories', 'repositories'),
      totalCount: totalCountOf,
    });
    return read.items.flatMap((r) => toRepositoryRef(r) ?? []);
  } catch (error) {
    throw translateGitHubError('list-installation-repositories', error, {
      now: (options.now ?? Date.now)(),
    });
  }
}
