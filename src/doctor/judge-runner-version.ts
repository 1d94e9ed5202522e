import { compareVersions } from '../config/compare-versions.js';
import { MIN_RUNNER_VERSION, RUNNER_VERSION_FLOOR } from '../config/env-schema.js';
import type { RunnerClass } from '../config/runner-class.js';
import { behindSince, type RunnerReleaseDates } from '../github/runner-releases.js';
import { DEFAULT_RUNNER_IMAGE_REPOSITORY } from '../modal/runner-image.js';
import { LATEST } from '../runner-version/runner-version-state.js';
import { result, type CheckResult } from './check-result.js';

/** What GitHub said about the newest runner, or why it could not be asked. */
export type NewestRunner =
  | { readonly kind: 'known'; readonly version: string; readonly org: string }
  | { readonly kind: 'unknown'; readonly reason: string };

/** When the releases came out, and the doctor's clock. */
export interface ReleaseTimeline {
  readonly dates: RunnerReleaseDates;
  readonly now: number;
}

/** A runner this many days behind a newer release is warned about; GitHub's limit is 30. */
export const WARN_BEHIND_DAYS = 20;
export const GITHUB_UPDATE_WINDOW_DAYS = 30;
const DAY_MS = 24 * 3600_000;

const NO_DATES: ReleaseTimeline = {
  dates: { kind: 'unknown', reason: 'not asked' },
  now: 0,
};

const WINDOW = `GitHub stops sending jobs to a runner that has not updated within ${GITHUB_UPDATE_WINDOW_DAYS} days of a newer release (a JIT runner updates itself before its job, which delays each job)`;

/**
 * Judges one runner version: FAIL below the minimum GitHub registers; WARN once it has been
 * behind a newer release for WARN_BEHIND_DAYS (or behind by an unknown time); PASS otherwise.
 */
function judge(
  name: string,
  version: string,
  newest: NewestRunner,
  timeline: ReleaseTimeline,
  setIt: (version: string) => string,
): CheckResult {
  const target = newest.kind === 'known' ? newest.version : undefined;
  if (compareVersions(version, MIN_RUNNER_VERSION) < 0) {
    return result.fail(
      'Runner version',
      name,
      `${version} is older than ${MIN_RUNNER_VERSION}: GitHub refuses to register it, so no job would ever run`,
      {
        fix: `${setIt(target ?? MIN_RUNNER_VERSION)} (see https://github.com/actions/runner/releases)`,
      },
    );
  }
  if (newest.kind === 'unknown') {
    return result.info(
      'Runner version',
      name,
      `${version} (at least ${MIN_RUNNER_VERSION}); the newest release is unknown: ${newest.reason}`,
    );
  }
  if (compareVersions(version, newest.version) >= 0) {
    return result.pass(
      'Runner version',
      name,
      `${version} is the newest runner (GitHub, org ${newest.org})`,
    );
  }
  const behind = `${version} is older than the newest runner, ${newest.version} (GitHub, org ${newest.org})`;
  const fix = { fix: `${setIt(newest.version)}, then run \`modal-github-runner image build\`` };
  const { dates, now } = timeline;
  if (dates.kind === 'unknown') {
    return result.warn(
      'Runner version',
      name,
      `${behind}; for how long is unknown (the release dates could not be read: ${dates.reason}). ${WINDOW}`,
      fix,
    );
  }
  const since = behindSince(dates.releases, version);
  if (since === undefined) {
    return result.warn(
      'Runner version',
      name,
      `${behind}; for how long is unknown (${newest.version} is not among the releases of actions/runner). ${WINDOW}`,
      fix,
    );
  }
  const days = Math.floor((now - since.publishedAt) / DAY_MS);
  const age = `${days} day(s) behind: ${since.version} came out on ${new Date(since.publishedAt).toISOString().slice(0, 10)}`;
  if (days >= WARN_BEHIND_DAYS) {
    return result.warn('Runner version', name, `${behind}, ${age}. ${WINDOW}`, fix);
  }
  return result.pass(
    'Runner version',
    name,
    `${behind}, ${age}; the doctor warns at ${WARN_BEHIND_DAYS} days, GitHub's limit is ${GITHUB_UPDATE_WINDOW_DAYS}`,
  );
}

/** RUNNER_VERSION=latest: the server follows the newest, if it can be resolved. */
function judgeLatest(name: string, newest: NewestRunner): CheckResult {
  if (newest.kind === 'known') {
    return result.pass(
      'Runner version',
      name,
      `latest: the server follows the newest runner, now ${newest.version} (GitHub, org ${newest.org}), and builds its image before launches use it (until then ${RUNNER_VERSION_FLOOR}, the fallback of this release)`,
    );
  }
  return result.warn(
    'Runner version',
    name,
    `latest, but the newest runner cannot be resolved (${newest.reason}): the server would launch the fallback ${RUNNER_VERSION_FLOOR} until it can`,
    {
      fix: 'install the App on the organization with the "Self-hosted runners" permission, or pin RUNNER_VERSION to a version',
    },
  );
}

const OFFICIAL_TAG = new RegExp(
  `^${DEFAULT_RUNNER_IMAGE_REPOSITORY.replace(/[.]/g, '\\.')}:v?(\\d+\\.\\d+\\.\\d+)$`,
);

/**
 * RUNNER_VERSION (for the classes on the official image) and every class with its own image:
 * an official image tag is checked like RUNNER_VERSION; any other image cannot be checked. Pure.
 */
export function checkRunnerVersions(
  configured: string,
  classes: ReadonlyMap<string, RunnerClass>,
  newest: NewestRunner,
  timeline: ReleaseTimeline = NO_DATES,
): CheckResult[] {
  const all = [...classes.values()];
  const onDefault = all.filter((c) => !c.image).map((c) => c.name);
  const results: CheckResult[] = [];
  if (onDefault.length === 0) {
    results.push(
      result.info(
        'Runner version',
        'RUNNER_VERSION',
        `${configured}, unused: every runner class has its own image`,
      ),
    );
  } else {
    const name = `RUNNER_VERSION (${onDefault.join(', ')})`;
    results.push(
      configured === LATEST
        ? judgeLatest(name, newest)
        : judge(name, configured, newest, timeline, (v) => `set RUNNER_VERSION=${v} (or latest)`),
    );
  }
  for (const cls of all) {
    if (!cls.image) continue;
    const tagged = OFFICIAL_TAG.exec(cls.image)?.[1];
    if (tagged) {
      results.push(
        judge(
          `class ${cls.name} image`,
          tagged,
          newest,
          timeline,
          (v) =>
            `set "image" of class ${cls.name} in RUNNER_CLASSES to ${DEFAULT_RUNNER_IMAGE_REPOSITORY}:${v}`,
        ),
      );
    } else {
      results.push(
        result.info(
          'Runner version',
          `class ${cls.name} image`,
          `${cls.image}: its own image, whose runner version cannot be checked here; base it on ${DEFAULT_RUNNER_IMAGE_REPOSITORY}:${newest.kind === 'known' ? newest.version : MIN_RUNNER_VERSION} or newer (at least ${MIN_RUNNER_VERSION})`,
        ),
      );
    }
  }
  return results;
}
