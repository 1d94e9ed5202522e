import { describe, expect, it } from '@jest/globals';
import { createOctokitCache } from '../../src/github/octokit-cache.js';

describe('createOctokitCache', () => {
  it('builds one Octokit per installation and hands the same one out again', async () => {
    const builds: number[] = [];
    const octokit = createOctokitCache((installationId: number) => {
      builds.push(installationId);
      return Promise.resolve({ installationId });
    });
    const first = await octokit(7);
    const again = await octokit(7);
    const other = await octokit(8);
    expect(again).toBe(first);
    expect(other).not.toBe(first);
    expect(other).toEqual({ installationId: 8 });
    expect(builds).toEqual([7, 8]);
  });

  it('shares one build between calls made while it is under way', async () => {
    let builds = 0;
    const octokit = createOctokitCache(async () => {
      builds += 1;
      await new Promise((resolve) => setImmediate(resolve));
      return {};
    });
    const [a, b] = await Promise.all([octokit(1), octokit(1)]);
    expect(a).toBe(b);
    expect(builds).toBe(1);
  });

  it('forgets a build that failed, so that the next call builds again', async () => {
    let attempt = 0;
    const octokit = createOctokitCache((installationId: number) => {
      attempt += 1;
      return attempt === 1
        ? Promise.reject(new Error('no key yet'))
        : Promise.resolve({ installationId, attempt });
    });
    await expect(octokit(3)).rejects.toThrow('no key yet');
    await expect(octokit(3)).resolves.toEqual({ installationId: 3, attempt: 2 });
    await expect(octokit(3)).resolves.toEqual({ installationId: 3, attempt: 2 });
    expect(attempt).toBe(2);
  });
});
