import { describe, expect, it } from '@jest/globals';
import { behindSince, parseRunnerReleases } from '../../src/github/runner-releases.js';
import {
  buildFailed,
  built,
  nextRunnerVersionStep,
  resolved,
  resolveFailed,
  runnerVersionText,
  versionInUse,
  type RunnerVersionState,
} from '../../src/runner-version/runner-version-state.js';

const timings = { refreshMs: 24 * 3600_000, retryMs: 3600_000 };
const latest: RunnerVersionState = { setting: 'latest', floor: '2.334.0' };
const H = 3600_000;

describe('which runner version to use now (pure)', () => {
  it('a pinned version is used as it is and nothing is ever asked or built', () => {
    const pinned = { setting: '2.330.0', floor: '2.334.0' };
    expect(versionInUse(pinned)).toBe('2.330.0');
    expect(nextRunnerVersionStep(pinned, 0, timings)).toEqual({ kind: 'idle' });
    expect(runnerVersionText(pinned)).toBe('2.330.0 (pinned by RUNNER_VERSION)');
  });

  it('latest starts on the floor and asks GitHub first', () => {
    expect(versionInUse(latest)).toBe('2.334.0');
    expect(nextRunnerVersionStep(latest, 0, timings)).toEqual({ kind: 'resolve' });
    expect(runnerVersionText(latest)).toBe(
      'latest → 2.334.0 (the fallback: the newest runner is not resolved yet)',
    );
  });

  it('a resolved newest version is built before it is used', () => {
    const s = resolved(latest, '2.335.0', 10);
    expect(versionInUse(s)).toBe('2.334.0');
    expect(nextRunnerVersionStep(s, 11, timings)).toEqual({ kind: 'build', version: '2.335.0' });
    expect(runnerVersionText(s)).toBe(
      'latest → 2.334.0 (the fallback: the newest is 2.335.0, its image is building)',
    );
    const done = built(s, '2.335.0');
    expect(versionInUse(done)).toBe('2.335.0');
    expect(nextRunnerVersionStep(done, 12, timings)).toEqual({ kind: 'idle' });
    expect(runnerVersionText(done)).toBe('latest → 2.335.0');
  });

  it('a failed build keeps the version before and is tried again after retryMs', () => {
    const s = built(resolved(latest, '2.335.0', 0), '2.335.0');
    const newer = resolved(s, '2.336.0', 25 * H);
    const failed = buildFailed(newer, '2.336.0', 'manifest unknown', 25 * H);
    expect(versionInUse(failed)).toBe('2.335.0');
    expect(nextRunnerVersionStep(failed, 25 * H + 1, timings)).toEqual({ kind: 'idle' });
    expect(nextRunnerVersionStep(failed, 26 * H, timings)).toEqual({
      kind: 'build',
      version: '2.336.0',
    });
    expect(runnerVersionText(failed)).toBe(
      'latest → 2.335.0; 2.336.0 is newer, its image failed to build: manifest unknown',
    );
    expect(built(failed, '2.336.0').failedBuild).toBeUndefined();
  });

  it('the newest is asked again daily, a failed question hourly', () => {
    const s = built(resolved(latest, '2.335.0', 0), '2.335.0');
    expect(nextRunnerVersionStep(s, 24 * H - 1, timings)).toEqual({ kind: 'idle' });
    expect(nextRunnerVersionStep(s, 24 * H, timings)).toEqual({ kind: 'resolve' });
    const failed = resolveFailed(s, 'HTTP 502', 24 * H);
    expect(versionInUse(failed)).toBe('2.335.0');
    expect(nextRunnerVersionStep(failed, 24 * H + 1, timings)).toEqual({ kind: 'idle' });
    expect(nextRunnerVersionStep(failed, 25 * H, timings)).toEqual({ kind: 'resolve' });
    const never = resolveFailed(latest, 'no installation', 0);
    expect(runnerVersionText(never)).toBe(
      'latest → 2.334.0 (the fallback: the newest runner is not resolved yet: no installation)',
    );
  });

  it('an older newest (a GitHub Enterprise Server) is adopted too, once built', () => {
    const s = resolved(latest, '2.331.0', 0);
    expect(nextRunnerVersionStep(s, 1, timings)).toEqual({ kind: 'build', version: '2.331.0' });
    expect(versionInUse(built(s, '2.331.0'))).toBe('2.331.0');
  });
});

describe('how long a runner version has been behind (pure)', () => {
  const releases = parseRunnerReleases([
    { tag_name: 'v2.336.0', published_at: '2026-11-20T10:00:00Z', draft: false },
    { tag_name: 'v2.337.0-beta', published_at: '2026-11-25T10:00:00Z' },
    { tag_name: 'v2.399.0', published_at: '2026-11-26T10:00:00Z', prerelease: true },
    { tag_name: 'v2.335.0', published_at: '2026-11-01T10:00:00Z' },
    { tag_name: 'v2.334.0', published_at: '2026-10-01T10:00:00Z' },
    { tag_name: 'v2.400.0', published_at: null },
  ]);

  it('reads published releases with a version and a date, nothing else', () => {
    expect(releases.map((r) => r.version)).toEqual(['2.336.0', '2.335.0', '2.334.0']);
    expect(parseRunnerReleases({ message: 'Not Found' })).toEqual([]);
  });

  it('the clock starts at the first release newer than the version', () => {
    expect(behindSince(releases, '2.334.0')?.version).toBe('2.335.0');
    expect(behindSince(releases, '2.335.0')?.version).toBe('2.336.0');
    expect(behindSince(releases, '2.336.0')).toBeUndefined();
  });
});
