import pino from 'pino';
import { Probot } from 'probot';
import type { Config } from '../config/config.js';
import { AppOctokit } from '../github/app-octokit.js';
import type { DoctorGitHub, DoctorGitHubClient } from './doctor-github.js';

interface RequestingOctokit {
  request(route: string, params?: Record<string, unknown>): Promise<{ data: unknown }>;
}

function client(octokit: RequestingOctokit): DoctorGitHubClient {
  return { get: async (route, params) => (await octokit.request(route, { ...params })).data };
}

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
    app: async () => client((await probot.auth()) as unknown as RequestingOctokit),
    installation: async (id) => client((await probot.auth(id)) as unknown as RequestingOctokit),
  };
}
