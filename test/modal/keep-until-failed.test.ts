import { describe, expect, it } from '@jest/globals';
import { keepUntilFailed } from '../../src/modal/keep-until-failed.js';

describe('keepUntilFailed', () => {
  it('shares one lookup per key and tries a failed one again', async () => {
    const keep = keepUntilFailed<string>();
    let calls = 0;
    const failing = () => {
      calls += 1;
      return calls === 1 ? Promise.reject(new Error('unavailable')) : Promise.resolve(`v${calls}`);
    };
    await expect(keep('a', failing)).rejects.toThrow('unavailable');
    const [first, second] = await Promise.all([keep('a', failing), keep('a', failing)]);
    expect([first, second]).toEqual(['v2', 'v2']);
    expect(await keep('a', failing)).toBe('v2');
    expect(await keep('b', failing)).toBe('v3');
    expect(calls).toBe(3);
  });
});
