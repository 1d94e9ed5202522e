import pino from 'pino';
import { Probot } from 'probot';
import type { Config } from '../config/config.js';
import { AppOctokit } from '../github/app-octokit.js';
import type { RestClient } from '../github/rest-response.js';
import type { DoctorGitHub } from './doctor-github.js';

/**
 * GitHub through Probot's own authentication, exactly as the server makes it (`probot.auth()`
 * signs the App's JWT, `probot.auth(id)` mints an installation token), with a silent logger so
 * that nothing but the report reaches the terminal.
 */
export function createProbotDoctorGitHub(config: Config): DoctorGitHub {
  const probot = new Probot({
    appId: config.github.appId,
    privateKey: config.github.privateKey,
    secret: config.github.webhookSecret,
    Octokit: AppOctokit,
    log: pino({ level: 'silent' }),
    ...(config.github.baseUrl ? { baseUrl: config.github.baseUrl } : {}),
  });
  return {
    app: async () => (await probot.auth()) as unknown as RestClient,
    installation: async (id) => (await probot.auth(id)) as unknown as RestClient,
  };
}
