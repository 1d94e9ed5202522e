import { describe, expect, it } from '@jest/globals';
import { GitHubError } from '../../src/github/github-error.js';
import {
  nextLinkParams,
  readPages,
  type PagePosition,
  type ReadPagesOptions,
} from '../../src/github/rest-pages.js';
import { listItems, totalCountOf, type RestResponse } from '../../src/github/rest-response.js';

const API = 'https://api.github.com';

function response(data: unknown, link?: string): RestResponse {
  return { status: 200, data, headers: link === undefined ? {} : { link } };
}

/** A list served page by page; `pages[i]` answers the i-th request. Records what was asked. */
function serve(pages: RestResponse[]) {
  const asked: PagePosition[] = [];
  const fetch = async (at: PagePosition) => {
    asked.push(at);
    const page = pages[asked.length - 1];
    if (page === undefined) throw new Error(`no page ${asked.length}`);
    return page;
  };
  return { asked, fetch };
}

const items = (r: RestResponse) => listItems<number>(r, 'list-things');

function read(
  pages: RestResponse[],
  options: Partial<ReadPagesOptions<number>> & Pick<ReadPagesOptions<number>, 'form'>,
) {
  const server = serve(pages);
  return {
    asked: server.asked,
    result: readPages<number>({ perPage: 2, maxPages: 10, fetch: server.fetch, items, ...options }),
  };
}

describe('nextLinkParams', () => {
  it.each<[string, string | undefined, Record<string, string> | undefined]>([
    ['no header', undefined, undefined],
    [
      'next and last',
      `<${API}/app/installations?per_page=100&page=2>; rel="next", <${API}/app/installations?per_page=100&page=5>; rel="last"`,
      { per_page: '100', page: '2' },
    ],
    [
      'next after prev',
      `<${API}/x?page=1>; rel="prev", <${API}/x?page=3>; rel="next"`,
      { page: '3' },
    ],
    [
      'a cursor',
      `<${API}/app/hook/deliveries?per_page=100&cursor=v1_5>; rel="next"`,
      { per_page: '100', cursor: 'v1_5' },
    ],
    [
      'only prev and first',
      `<${API}/x?page=1>; rel="prev", <${API}/x?page=1>; rel="first"`,
      undefined,
    ],
    ['a relative URL', '</x?page=2>; rel=next', { page: '2' }],
  ])('%s', (_name, link, expected) => {
    const params = nextLinkParams(link);
    expect(params === undefined ? undefined : Object.fromEntries(params)).toEqual(expected);
  });
});

describe('readPages', () => {
  it('page form: follows rel="next" (its page number) and ends where the link has none', async () => {
    const { asked, result } = read(
      [
        response([1, 2], `<${API}/x?page=2>; rel="next"`),
        response([3], `<${API}/x?page=1>; rel="prev"`),
      ],
      { form: 'page', perPage: 100 },
    );
    await expect(result).resolves.toEqual({ items: [1, 2, 3], pages: 2, next: undefined });
    expect(asked).toEqual([{ page: 1 }, { page: 2 }]);
  });

  it('page form without a link header: full pages go on until total_count or a short page', async () => {
    const total = read(
      [response({ total_count: 4, things: [1, 2] }), response({ total_count: 4, things: [3, 4] })],
      { form: 'page', items: (r) => listItems<number>(r, 'x', 'things'), totalCount: totalCountOf },
    );
    await expect(total.result).resolves.toMatchObject({ items: [1, 2, 3, 4], pages: 2 });
    expect(total.asked).toEqual([{ page: 1 }, { page: 2 }]);

    const short = read([response([1, 2]), response([3])], { form: 'page' });
    await expect(short.result).resolves.toMatchObject({ items: [1, 2, 3], pages: 2 });

    const empty = read([response([1, 2]), response([])], { form: 'page' });
    await expect(empty.result).resolves.toMatchObject({ items: [1, 2], pages: 2, next: undefined });
  });

  it('cursor form: takes the cursor from the link, and ends without one', async () => {
    const { asked, result } = read(
      [
        response([1, 2], `<${API}/d?per_page=2&cursor=c1>; rel="next"`),
        response([3, 4], `<${API}/d?per_page=2&cursor=c2>; rel="next"`),
        response([5, 6]),
      ],
      { form: 'cursor' },
    );
    await expect(result).resolves.toEqual({ items: [1, 2, 3, 4, 5, 6], pages: 3, next: undefined });
    expect(asked).toEqual([{ page: 1 }, { page: 2, cursor: 'c1' }, { page: 3, cursor: 'c2' }]);
  });

  it('stops at maxPages and says where the next page starts; a later read resumes there', async () => {
    const first = read(
      [
        response([1, 2], `<${API}/d?cursor=c1>; rel="next"`),
        response([3, 4], `<${API}/d?cursor=c2>; rel="next"`),
      ],
      { form: 'cursor', maxPages: 2 },
    );
    const done = await first.result;
    expect(done).toEqual({ items: [1, 2, 3, 4], pages: 2, next: { page: 3, cursor: 'c2' } });

    const second = read([response([5])], { form: 'cursor', from: done.next });
    await expect(second.result).resolves.toEqual({ items: [5], pages: 1, next: undefined });
    expect(second.asked).toEqual([{ page: 3, cursor: 'c2' }]);
  });

  it('onPage can stop the read after a page', async () => {
    const seen: number[][] = [];
    const { asked, result } = read(
      [
        response([1, 2], `<${API}/x?page=2>; rel="next"`),
        response([3, 4], `<${API}/x?page=3>; rel="next"`),
      ],
      {
        form: 'page',
        onPage: (page) => {
          seen.push([...page]);
          return page.includes(3) ? 'stop' : undefined;
        },
      },
    );
    await expect(result).resolves.toEqual({ items: [1, 2, 3, 4], pages: 2, next: undefined });
    expect(seen).toEqual([
      [1, 2],
      [3, 4],
    ]);
    expect(asked).toHaveLength(2);
  });

  it('a body that is not a list is an unexpected response, not an empty list', async () => {
    const { result } = read([response({ message: 'surprise' })], { form: 'page' });
    await expect(result).rejects.toBeInstanceOf(GitHubError);
    await expect(result).rejects.toMatchObject({
      code: 'unexpected-response',
      retryable: false,
      operation: 'list-things',
    });
  });
});
