import { compareVersions } from '../config/compare-versions.js';
import { errorFields } from '../domain/error-fields.js';
import type { Installation } from './list-installations.js';
import type { RestClient } from './rest-response.js';

/** One element of `GET /orgs/{org}/actions/runners/downloads`. */
export interface RunnerDownload {
  readonly os?: string;
  readonly architecture?: string;
  readonly filename?: string;
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

/** Thrown when no organization installation said which runner is the newest. */
export class NewestRunnerUnknownError extends Error {
  override readonly name = 'NewestRunnerUnknownError';
}

export interface NewestRunnerDeps {
  readonly listInstallations: () => Promise<readonly Installation[]>;
  readonly installationClient: (installationId: number) => Promise<RestClient>;
}

/**
 * The newest runner version, as the first organization installation that answers reports it
 * (`GET /orgs/{org}/actions/runners/downloads`; on GitHub Enterprise Server, the version that
 * server supports). Throws NewestRunnerUnknownError, with the last failure as its cause.
 */
export async function fetchNewestRunnerVersion(
  deps: NewestRunnerDeps,
): Promise<{ version: string; org: string }> {
  const orgs = (await deps.listInstallations()).filter((i) => i.kind === 'org' && !i.suspended);
  let reason = 'the App has no organization installation to ask';
  let cause: unknown;
  for (const { id, account: org } of orgs) {
    try {
      const client = await deps.installationClient(id);
      const { data } = await client.request('GET /orgs/{org}/actions/runners/downloads', { org });
      const version = newestLinuxX64Version(Array.isArray(data) ? (data as RunnerDownload[]) : []);
      if (version) return { version, org };
      reason = `org ${org} listed no linux x64 runner download`;
    } catch (error) {
      cause = error;
      reason = `GET /orgs/${org}/actions/runners/downloads failed: ${errorFields(error).message}`;
    }
  }
  throw new NewestRunnerUnknownError(
    `the newest runner version is unknown: ${reason}; check that the App is installed on the organization with the "Self-hosted runners" permission`,
    cause === undefined ? undefined : { cause },
  );
}
