import type { RestResponse } from './rest-response.js';

/**
 * How a list pages: `page` (`?page=2`, GitHub's usual form) or `cursor` (`?cursor=…`, e.g. the
 * App's webhook deliveries). Either way GitHub names the next page in the `link` header.
 */
export type PagingForm = 'page' | 'cursor';

/** Where a page starts: its number (page form) or GitHub's cursor (cursor form, none at first). */
export interface PagePosition {
  readonly page: number;
  readonly cursor?: string;
}

export interface ReadPagesOptions<T> {
  readonly form: PagingForm;
  /** Asked for with every page (GitHub's maximum is 100). */
  readonly perPage: number;
  /** Pages read at most in this call; `next` says where to go on. */
  readonly maxPages: number;
  /** Where to start: a previous read's `next`; the first page by default. */
  readonly from?: PagePosition;
  /** Asks GitHub for one page. */
  readonly fetch: (at: PagePosition) => Promise<RestResponse>;
  /** The page's items (see `listItems`). */
  readonly items: (response: RestResponse) => readonly T[];
  /** The whole list's length when the body says (`total_count`); stops a link-less page list. */
  readonly totalCount?: (response: RestResponse) => number | undefined;
  /** Sees each page's items as it comes; `'stop'` ends the read after this page. */
  readonly onPage?: (items: readonly T[]) => 'stop' | undefined;
}

export interface PagesRead<T> {
  readonly items: T[];
  readonly pages: number;
  /** The first page not read; undefined when the list was read to its end (or `onPage` stopped). */
  readonly next: PagePosition | undefined;
}

/**
 * Reads a GitHub list page after page. The `link` header decides when it has one: its
 * `rel="next"` URL gives the next page or cursor, and its absence ends the list. Without a `link`
 * header (older GHES versions, simple fakes) a page-form list goes on while pages come back full
 * and `total_count`, when given, is not reached; a cursor-form list ends.
 */
export async function readPages<T>(options: ReadPagesOptions<T>): Promise<PagesRead<T>> {
  const items: T[] = [];
  let at: PagePosition | undefined = options.from ?? { page: 1 };
  let pages = 0;
  while (at !== undefined && pages < options.maxPages) {
    const response = await options.fetch(at);
    const page = options.items(response);
    pages += 1;
    items.push(...page);
    if (options.onPage?.(page) === 'stop') return { items, pages, next: undefined };
    at = nextPosition(options, response, at, page.length, items.length);
  }
  return { items, pages, next: at };
}

function nextPosition(
  options: Pick<ReadPagesOptions<unknown>, 'form' | 'perPage' | 'totalCount'>,
  response: RestResponse,
  at: PagePosition,
  count: number,
  seen: number,
): PagePosition | undefined {
  if (count === 0) return undefined;
  const link = response.headers.link;
  if (link !== undefined && link.trim() !== '') {
    const next = nextLinkParams(link);
    if (next === undefined) return undefined;
    if (options.form === 'cursor') {
      const cursor = next.get('cursor');
      return cursor === null || cursor === '' ? undefined : { page: at.page + 1, cursor };
    }
    const page = Number(next.get('page'));
    return { page: Number.isInteger(page) && page > at.page ? page : at.page + 1 };
  }
  if (options.form === 'cursor' || count < options.perPage) return undefined;
  const total = options.totalCount?.(response);
  return total !== undefined && seen >= total ? undefined : { page: at.page + 1 };
}

/** The query of the `rel="next"` URL in a `link` header; undefined on the last page. */
export function nextLinkParams(link: string | undefined): URLSearchParams | undefined {
  if (link === undefined) return undefined;
  for (const part of link.split(',')) {
    const match = /<([^>]+)>\s*;.*\brel="?next"?/.exec(part);
    if (match?.[1] === undefined) continue;
    try {
      return new URL(match[1], 'https://api.github.com').searchParams;
    } catch {
      return undefined;
    }
  }
  return undefined;
}
