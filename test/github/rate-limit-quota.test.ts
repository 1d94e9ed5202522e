import { describe, expect, it } from '@jest/globals';
import { createRateLimitQuota } from '../../src/github/rate-limit-quota.js';

const NOW = 1_700_000_000_000;
const headers = (remaining: number, limit = 5000, resetInSeconds = 600) => ({
  'x-ratelimit-remaining': String(remaining),
  'x-ratelimit-limit': String(limit),
  'x-ratelimit-reset': String(Math.floor(NOW / 1000) + resetInSeconds),
});

describe('rate-limit quota', () => {
  it('knows nothing until a response says', () => {
    expect(createRateLimitQuota().callsLeft(NOW)).toBeUndefined();
  });

  it('leaves 10% of each limit in reserve and follows the lowest credential', () => {
    const quota = createRateLimitQuota();
    quota.observe('app', headers(4000));
    quota.observe('installation:7', headers(800));
    expect(quota.callsLeft(NOW)).toBe(300);
    quota.observe('installation:7', headers(450));
    expect(quota.callsLeft(NOW)).toBe(0);
  });

  it('forgets a window once it has reset, and ignores responses without the headers', () => {
    const quota = createRateLimitQuota();
    quota.observe('installation:7', headers(100, 5000, 60));
    quota.observe('installation:8', {});
    expect(quota.callsLeft(NOW)).toBe(0);
    expect(quota.callsLeft(NOW + 61_000)).toBeUndefined();
  });
});
