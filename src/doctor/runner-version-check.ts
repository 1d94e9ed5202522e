import { compareVersions } from '../config/compare-versions.js';
import { MIN_RUNNER_VERSION } from '../config/env-schema.js';
import type { RunnerClass } from '../config/runner-class.js';
import { DEFAULT_RUNNER_IMAGE_REPOSITORY } from '../modal/runner-image.js';
import { result, type CheckResult } from './check-result.js';
import { translate, type DoctorCheck, type DoctorContext } from './doctor-context.js';
import { headline } from './doctor-github.js';

/** One element of `GET /orgs/{org}/actions/runners/downloads`. */
export interface RunnerDownload {
  readonly os?: string;
  readonly architecture?: string;
  readonly filename?: string;
}

/** What GitHub said about the newest runner, or why it could not be asked. */
export type NewestRunner =
  | { readonly kind: 'known'; readonly version: string; readonly org: string }
  | { readonly kind: 'unknown'; readonly reason: string };

/**
 * RUNNER_VERSION and the classes' official images against the newest runner release, as the
 * first organization installation that answers reports it
 * (`GET /orgs/{org}/actions/runners/downloads`).
 */
export const runnerVersionCheck: DoctorCheck = {
  topic: 'runner version',
  section: 'Runner version',
  lane: 'github',
  async run(ctx) {
    const { version, classes } = ctx.config.runners;
    return checkRunnerVersions(version, classes, await askNewestRunner(ctx));
  },
};

async function askNewestRunner(ctx: DoctorContext): Promise<NewestRunner> {
  let newest: NewestRunner = {
    kind: 'unknown',
    reason: ctx.facts.noOrgs ?? 'no organization installation could be asked',
  };
  for (const { org, client } of ctx.facts.orgs ?? []) {
    if (client === undefined) continue;
    try {
      const downloads: unknown = (
        await client.request('GET /orgs/{org}/actions/runners/downloads', { org })
      ).data;
      const version = newestLinuxX64Version(
        Array.isArray(downloads) ? (downloads as RunnerDownload[]) : [],
      );
      if (version) return { kind: 'known', version, org };
      newest = { kind: 'unknown', reason: `org ${org} listed no linux x64 runner download` };
    } catch (error) {
      const failure = translate(ctx, 'list-runner-downloads', error);
      newest = {
        kind: 'unknown',
        reason: `GET /orgs/${org}/actions/runners/downloads failed: ${headline(failure)}`,
      };
    }
  }
  return newest;
}

/** The newest Linux x64 runner version in a downloads list, from `actions-runner-linux-x64-2.334.0.tar.gz`. */
export function newestLinuxX64Version(downloads: readonly RunnerDownload[]): string | undefined {
  let newest: string | undefined;
  for (const d of downloads) {
    if (d.os !== 'linux' || d.architecture !== 'x64') continue;
    const match = /^actions-runner-linux-x64-(\d+\.\d+\.\d+)\.tar\.gz$/.exec(d.filename ?? '');
    const version = match?.[1];
    if (version && (newest === undefined || compareVersions(version, newest) > 0)) {
      newest = version;
    }
  }
  return newest;
}

const OFFICIAL_TAG = new RegExp(
  `^${DEFAULT_RUNNER_IMAGE_REPOSITORY.replace(/[.]/g, '\\.')}:v?(\\d+\\.\\d+\\.\\d+)$`,
);

/**
 * Judges one runner version: FAIL below the minimum GitHub registers, WARN when older than the
 * newest release, PASS otherwise. `what` names it, `setIt` says how to change it.
 */
function judge(
  name: string,
  version: string,
  newest: NewestRunner,
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
  if (compareVersions(version, newest.version) < 0) {
    return result.warn(
      'Runner version',
      name,
      `${version} is older than the newest runner, ${newest.version} (GitHub, org ${newest.org}); every runner updates itself before its job, which delays each job`,
      { fix: `${setIt(newest.version)}, then run \`modal-github-runner image build\`` },
    );
  }
  return result.pass(
    'Runner version',
    name,
    `${version} is the newest runner (GitHub, org ${newest.org})`,
  );
}

/**
 * RUNNER_VERSION (for the classes on the official image) and every class with its own image:
 * an official image tag is checked like RUNNER_VERSION; any other image cannot be checked.
 */
export function checkRunnerVersions(
  configured: string,
  classes: ReadonlyMap<string, RunnerClass>,
  newest: NewestRunner,
): CheckResult[] {
  const all = [...classes.values()];
  const onDefault = all.filter((c) => !c.image).map((c) => c.name);
  const results: CheckResult[] = [];
  if (onDefault.length > 0) {
    results.push(
      judge(
        `RUNNER_VERSION (${onDefault.join(', ')})`,
        configured,
        newest,
        (v) => `set RUNNER_VERSION=${v}`,
      ),
    );
  } else {
    results.push(
      result.info(
        'Runner version',
        'RUNNER_VERSION',
        `${configured}, unused: every runner class has its own image`,
      ),
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
