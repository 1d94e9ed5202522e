import { afterEach, describe, expect, it } from '@jest/globals';
import { startHarness, type Harness } from '../../sim/harness.js';

describe('configuration warnings at start', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.stop();
    h = undefined;
  });

  const warnings = (harness: Harness) =>
    harness.logs.parsed().filter((l) => l.level === 40 && l.variable === 'GHE_PROTOCOL');

  it('GHE_PROTOCOL=http to a host that is not loopback is logged as a warning with its fix', async () => {
    h = await startHarness({
      env: { GHE_HOST: 'ghe.invalid', GHE_PROTOCOL: 'http' },
      timings: { reconcileIntervalMs: 3_600_000 },
    });
    const [warning] = warnings(h);
    expect(warning?.msg).toContain('to ghe.invalid unencrypted');
    expect(warning?.fix).toContain('GHE_PROTOCOL=https');
  });

  it('GHE_PROTOCOL=http to a loopback GitHub (the tests) logs none', async () => {
    h = await startHarness({ timings: { reconcileIntervalMs: 3_600_000 } });
    expect(h.config.github.baseUrl).toMatch(/^http:\/\/127\.0\.0\.1:/);
    expect(warnings(h)).toEqual([]);
  });
});
