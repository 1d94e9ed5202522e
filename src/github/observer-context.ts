import type { GitHubOperation } from './github-error.js';
import type { AppOctokitLike, InstallationOctokitLike } from './observer-octokit.js';
import type { PacedCall } from './paced-call.js';

/** A pino-compatible logger, reduced to what the observer calls. */
export interface ObserverLogger {
  debug(fields: Record<string, unknown>, message: string): void;
  warn(fields: Record<string, unknown>, message: string): void;
}

/** What the observer's reads work with. Both Octokits throw GitHubErrors when refused. */
export interface ObserverContext {
  /** The App's JWT-authenticated Octokit; `operation` names the call a failure is reported for. */
  readonly appOctokit: (operation: GitHubOperation) => Promise<AppOctokitLike>;
  readonly installationOctokit: (installationId: number) => Promise<InstallationOctokitLike>;
  readonly paced: PacedCall;
  readonly log: ObserverLogger;
}
