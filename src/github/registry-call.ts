import type { PacedCall } from './paced-call.js';
import type { OctokitLike } from './runners-octokit.js';

/** A pino-compatible logger, reduced to what the runner registry calls. */
export interface RegistryLogger {
  debug(fields: Record<string, unknown>, message: string): void;
  warn(fields: Record<string, unknown>, message: string): void;
}

/** What one runner-registry request works with: an installation's Octokit, paced, and the log. */
export interface RegistryCall {
  readonly octokit: OctokitLike;
  readonly paced: PacedCall;
  readonly log: RegistryLogger;
}
