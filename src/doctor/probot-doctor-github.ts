import type { Config } from '../config/config.js';
import { systemClock } from '../domain/clock.js';
import { createAppOctokits } from '../github/app-octokits.js';
import type { RestClient } from '../github/rest-response.js';
import type { DoctorGitHub } from './doctor-github.js';

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
    app: async () => octokits.app() as unknown as RestClient,
    installation: async (id) => octokits.installation(id) as unknown as RestClient,
  };
}
