import { describe, expect, it } from '@jest/globals';
import {
  createTokenBucket,
  pauseAfterLimit,
  recoverRate,
  takeToken,
  type BucketSettings,
} from '../../src/github/adaptive-token-bucket.js';

const settings: BucketSettings = {
  configured: 4,
  floor: 0.2,
  step: 0.4,
  recoveryIntervalMs: 5_000,
  defaultPauseMs: 60_000,
};

describe('adaptive token bucket (pure)', () => {
  it('gives a burst of the rate, then says how long to wait for the next token', () => {
    const bucket = createTokenBucket(settings, 0);
    for (let i = 0; i < 4; i++) expect(takeToken(bucket, 0)).toBe(0);
    expect(takeToken(bucket, 0)).toBe(250);
    expect(takeToken(bucket, 250)).toBe(0);
  });

  it('a limit pauses every call, keeps one token for a probe and halves the rate once', () => {
    const bucket = createTokenBucket(settings, 0);
    pauseAfterLimit(bucket, settings, 1_000, 3_000);
    expect(takeToken(bucket, 1_000)).toBe(3_000);
    expect(bucket.rate).toBe(2);
    // A second limit while paused (a call that was in flight) extends the pause only.
    pauseAfterLimit(bucket, settings, 2_000, 5_000);
    expect(bucket.paused).toBe(7_000);
    expect(bucket.rate).toBe(2);
    expect(takeToken(bucket, 7_000)).toBe(0);
    expect(takeToken(bucket, 7_000)).toBe(500);
  });

  it('takes the default pause without retry-after and never halves below the floor', () => {
    const bucket = createTokenBucket({ ...settings, configured: 0.3 }, 0);
    pauseAfterLimit(bucket, { ...settings, configured: 0.3 }, 0, undefined);
    expect(bucket.paused).toBe(60_000);
    expect(bucket.rate).toBe(0.2);
  });

  it('recovers one step per interval of success, up to the configured rate', () => {
    const bucket = createTokenBucket(settings, 0);
    pauseAfterLimit(bucket, settings, 0, 1_000);
    recoverRate(bucket, settings, 3_000); // within the interval after the pause ended
    expect(bucket.rate).toBe(2);
    recoverRate(bucket, settings, 6_000);
    expect(bucket.rate).toBeCloseTo(2.4);
    recoverRate(bucket, settings, 7_000);
    expect(bucket.rate).toBeCloseTo(2.4);
    for (let t = 11_000; t <= 60_000; t += 5_000) recoverRate(bucket, settings, t);
    expect(bucket.rate).toBe(4);
  });
});
