import type { Logger } from 'pino';
import type { Config } from '../config/config.js';
import { AppOctokit } from '../github/app-octokit.js';

/**
 * Probot's own options: the webhook path verifies signatures with the App's secret. No handler
 * of this app calls GitHub through `context.octokit` (every GitHub call goes through
 * `src/github/` with the App's own auth), so Probot gets a placeholder token: it then hands each
 * event one shared, never-used Octokit instead of authenticating a new one per delivery, which
 * in a burst cost about a third of a millisecond of CPU per webhook.
 */
export function probotOptions(config: Config, log: Logger) {
  return {
    appId: config.github.appId,
    privateKey: config.github.privateKey,
    secret: config.github.webhookSecret,
    githubToken: 'unused: this app never calls GitHub through context.octokit',
    log,
    Octokit: AppOctokit,
    ...(config.github.baseUrl ? { baseUrl: config.github.baseUrl } : {}),
  };
}
