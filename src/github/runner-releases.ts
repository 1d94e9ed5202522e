import { compareVersions } from '../config/compare-versions.js';
import type { RestClient } from './rest-response.js';

/** A published runner release: its version and when it came out. */
export interface RunnerRelease {
  readonly version: string;
  readonly publishedAt: number;
}

/** What GitHub said about the runner's releases, or why it could not be asked. */
export type RunnerReleaseDates =
  | { readonly kind: 'known'; readonly releases: readonly RunnerRelease[] }
  | { readonly kind: 'unknown'; readonly reason: string };

/** The repository whose releases the runner images are tagged after. */
export const RUNNER_RELEASES_REPO = { owner: 'actions', repo: 'runner' } as const;

/**
 * The runner's last 100 releases with their dates (`GET /repos/actions/runner/releases`, public
 * on github.com; a GitHub Enterprise Server has no such repository and answers 404). Drafts and
 * pre-releases are left out; so is a tag that is not a version.
 */
export async function fetchRunnerReleases(client: RestClient): Promise<RunnerRelease[]> {
  const { data } = await client.request('GET /repos/{owner}/{repo}/releases', {
    ...RUNNER_RELEASES_REPO,
    per_page: 100,
  });
  return parseRunnerReleases(data);
}

/** The releases in a `GET /repos/{owner}/{repo}/releases` answer. Pure. */
export function parseRunnerReleases(data: unknown): RunnerRelease[] {
  if (!Array.isArray(data)) return [];
  const releases: RunnerRelease[] = [];
  for (const item of data as Record<string, unknown>[]) {
    if (item.draft === true || item.prerelease === true) continue;
    const version = /^v?(\d+\.\d+\.\d+)$/.exec(String(item.tag_name ?? ''))?.[1];
    const publishedAt = Date.parse(String(item.published_at ?? ''));
    if (version && Number.isFinite(publishedAt)) releases.push({ version, publishedAt });
  }
  return releases;
}

/**
 * Since when `version` has been behind: the date of the first release newer than it. GitHub
 * stops sending jobs to a runner that has not updated within 30 days of an available update, so
 * that date starts the clock. Undefined when no known release is newer. Pure.
 */
export function behindSince(
  releases: readonly RunnerRelease[],
  version: string,
): RunnerRelease | undefined {
  let first: RunnerRelease | undefined;
  for (const r of releases) {
    if (compareVersions(r.version, version) <= 0) continue;
    if (first === undefined || r.publishedAt < first.publishedAt) first = r;
  }
  return first;
}
