import type { Clock } from '../domain/clock.js';
import { translateGitHubError } from './translate-github-error.js';

/** An installation's Octokit; a refused installation token becomes a GitHubError. */
export async function resolveInstallationOctokit<T>(
  getOctokit: (installationId: number) => Promise<T>,
  installationId: number,
  clock: Clock,
): Promise<T> {
  try {
    return await getOctokit(installationId);
  } catch (error) {
    throw translateGitHubError('installation-token', error, { now: clock.now(), installationId });
  }
}
