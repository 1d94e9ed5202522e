import { createAppAuth } from '@octokit/auth-app';
import type { Clock } from '../domain/clock.js';
import { createAppJwtSigner } from './app-jwt.js';
import { AppOctokit } from './app-octokit.js';
import { createInstallationTokenCache } from './installation-token-cache.js';

export type AppOctokitInstance = InstanceType<typeof AppOctokit>;

interface OctokitLog {
  debug(message: string, ...rest: unknown[]): unknown;
  info(message: string, ...rest: unknown[]): unknown;
  warn(message: string, ...rest: unknown[]): unknown;
  error(message: string, ...rest: unknown[]): unknown;
}

export interface AppOctokits {
  /** Authenticated as the App (its JWT): `GET /app`, installations, webhook deliveries. */
  app(): AppOctokitInstance;
  /** Authenticated as one installation (its installation token, minted and kept as needed). */
  installation(installationId: number): AppOctokitInstance;
  /** What the credentials cache holds: installation tokens kept, App JWTs signed so far. */
  tokens(): { readonly installationTokens: number; readonly jwtsSigned: number };
}

/**
 * GitHub as the App outside a webhook event, through @octokit/auth-app with our own JWT signer
 * and token cache (both on the injected clock), on AppOctokit (Probot's Octokit without its
 * throttling and retries). Each call makes a new Octokit; callers keep the ones they reuse.
 */
export function createAppOctokits(options: {
  readonly appId: number;
  readonly privateKey: string;
  /** REST base URL; undefined means github.com. */
  readonly baseUrl?: string | undefined;
  readonly clock: Clock;
  readonly log: OctokitLog;
}): AppOctokits {
  const signer = createAppJwtSigner({ privateKey: options.privateKey, clock: options.clock });
  const cache = createInstallationTokenCache({ clock: options.clock });
  const make = (installationId?: number) =>
    new AppOctokit({
      authStrategy: createAppAuth,
      auth: {
        appId: options.appId,
        createJwt: signer.createJwt,
        cache,
        ...(installationId === undefined ? {} : { installationId }),
      },
      log: options.log,
      ...(options.baseUrl ? { baseUrl: options.baseUrl } : {}),
    });
  return {
    app: () => make(),
    installation: (installationId) => make(installationId),
    tokens: () => ({ installationTokens: cache.size(), jwtsSigned: signer.signed() }),
  };
}
