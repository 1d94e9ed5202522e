import type { RunnerScope } from '../domain/runner-scope.js';
import { callForScope } from './call-for-scope.js';
import type { TranslateContext } from './github-error.js';
import type { RegistryCall } from './registry-call.js';
import { readPages } from './rest-pages.js';
import { listItems, totalCountOf } from './rest-response.js';
import { toRunnerInfo, type RunnerInfo } from './runner-info.js';
import type { ListParams, RunnerData } from './runners-octokit.js';

const PER_PAGE = 100;
/** 100 000 runners: far beyond any real scope, it only stops a server that paginates forever. */
const MAX_PAGES = 1_000;

/**
 * The scope's runner registrations that `keep` accepts, every page read; `filter.name` asks
 * GitHub to list only that name.
 */
export async function listRegistrations(
  call: RegistryCall,
  scope: RunnerScope,
  filter: { readonly name?: string },
  keep: (runner: RunnerData) => boolean,
): Promise<RunnerInfo[]> {
  const { octokit, paced } = call;
  const found: RunnerInfo[] = [];
  const context: TranslateContext = {
    scope,
    ...(filter.name ? { runnerName: filter.name } : {}),
  };
  const read = await readPages<RunnerData>({
    form: 'page',
    perPage: PER_PAGE,
    maxPages: MAX_PAGES,
    fetch: ({ page }) => {
      const params: ListParams = { per_page: PER_PAGE, page, ...filter };
      return paced('list-runners', context, () =>
        callForScope(
          scope,
          params,
          (p) => octokit.rest.actions.listSelfHostedRunnersForOrg(p),
          (p) => octokit.rest.actions.listSelfHostedRunnersForRepo(p),
        ),
      );
    },
    items: (response) => listItems<RunnerData>(response, 'list-runners', 'runners'),
    totalCount: totalCountOf,
  });
  for (const runner of read.items) if (keep(runner)) found.push(toRunnerInfo(runner));
  return found;
}
