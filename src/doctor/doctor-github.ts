import type { GitHubError } from '../github/github-error.js';
import type { RestClient } from '../github/rest-response.js';

/** GitHub as the App sees it: with its JWT, or with an installation's token. */
export interface DoctorGitHub {
  app(): Promise<RestClient>;
  installation(installationId: number): Promise<RestClient>;
}

/** A short reason for a report line: the HTTP status and GitHub's message, or the error's code. */
export function headline(error: GitHubError): string {
  if (error.code === 'network') return 'no answer from GitHub (network)';
  const status = error.status === undefined ? error.code : `${error.status}`;
  return error.githubMessage ? `${status} "${error.githubMessage}"` : status;
}
