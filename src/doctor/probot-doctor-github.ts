import type { Config } from '../config/config.js';
import { systemClock } from '../domain/clock.js';
import { createAppOctokits } from '../github/app-octokits.js';
import type { DoctorGitHub, DoctorGitHubClient } from './doctor-github.js';

interface RequestingOctokit {
  request(route: string, params?: Record<string, unknown>): Promise<{ data: unknown }>;
}

function client(octokit: RequestingOctokit): DoctorGitHubClient {
  return { get: async (route, params) => (await octokit.request(route, { ...params })).data };
}

const silent = { debug() {}, info() {}, warn() {}, error() {} };

/**
 * GitHub authenticated exactly as the server does outside webhook events (@octokit/auth-app
 * with our JWT signer and token cache, see src/github/app-octokits.ts), with a silent logger so
 * that nothing but the report reaches the terminal.
 */
export function createProbotDoctorGitHub(config: Config): DoctorGitHub {
  const octokits = createAppOctokits({
    appId: config.github.appId,
    privateKey: config.github.privateKey,
    baseUrl: config.github.baseUrl,
    clock: systemClock,
    log: silent,
  });
  return {
    app: async () => client(octokits.app() as unknown as RequestingOctokit),
    installation: async (id) => client(octokits.installation(id) as unknown as RequestingOctokit),
  };
}
