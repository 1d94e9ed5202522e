import type { ObserverContext } from './observer-context.js';
import type { InstallationData } from './observer-octokit.js';
import { readPages } from './rest-pages.js';
import { listItems } from './rest-response.js';

export interface Installation {
  readonly id: number;
  /** The account's login. */
  readonly account: string;
  readonly kind: 'org' | 'user';
  readonly suspended: boolean;
}

const PER_PAGE = 100;
/** 10 000 installations: it only stops a server that paginates forever. */
const MAX_INSTALLATION_PAGES = 100;

/** Every installation of the App that belongs to a user or an organization (all pages). */
export async function listInstallations(ctx: ObserverContext): Promise<Installation[]> {
  const { log } = ctx;
  const octokit = await ctx.appOctokit('list-installations');
  const read = await readPages<InstallationData>({
    form: 'page',
    perPage: PER_PAGE,
    maxPages: MAX_INSTALLATION_PAGES,
    fetch: ({ page }) =>
      ctx.paced('list-installations', {}, () =>
        octokit.request('GET /app/installations', { per_page: PER_PAGE, page }),
      ),
    items: (response) => listItems<InstallationData>(response, 'list-installations'),
  });
  if (read.next !== undefined) {
    log.warn(
      { operation: 'list-installations', pages: read.pages, installations: read.items.length },
      'too many installation pages; the rest are not observed',
    );
  }
  const result: Installation[] = [];
  for (const installation of read.items) {
    const login = installation.account?.login;
    if (typeof login !== 'string') {
      // An enterprise installation: no organization or user account, so no runners here.
      log.debug(
        { operation: 'list-installations', installationId: installation.id },
        'installation without a user or organization account skipped',
      );
      continue;
    }
    result.push({
      id: installation.id,
      account: login,
      kind: installation.account?.type === 'Organization' ? 'org' : 'user',
      suspended: installation.suspended_at != null,
    });
  }
  return result;
}
