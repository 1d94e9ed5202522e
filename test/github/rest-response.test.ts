import { describe, expect, it } from '@jest/globals';
import { GitHubError } from '../../src/github/github-error.js';
import { listItems, totalCountOf, type RestResponse } from '../../src/github/rest-response.js';

function response(data: unknown): RestResponse {
  return { status: 200, data, headers: {} };
}

describe('listItems and totalCountOf', () => {
  it('reads the body or the named array, and total_count when it is a number', () => {
    expect(listItems(response([1]), 'x')).toEqual([1]);
    expect(listItems(response({ repositories: [{ id: 1 }] }), 'x', 'repositories')).toEqual([
      { id: 1 },
    ]);
    expect(() => listItems(response({ repositories: null }), 'x', 'repositories')).toThrow(
      'GitHub x answered 200 without a list of repositories',
    );
    expect(() => listItems(response(null), 'x', 'runners')).toThrow(GitHubError);
    expect(totalCountOf(response({ total_count: 3 }))).toBe(3);
    expect(totalCountOf(response({ total_count: '3' }))).toBeUndefined();
    expect(totalCountOf(response([]))).toBeUndefined();
  });
});
