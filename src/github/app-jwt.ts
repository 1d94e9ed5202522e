import { createPrivateKey, sign, type KeyObject } from 'node:crypto';
import type { Clock } from '../domain/clock.js';

/** GitHub accepts an App JWT that expires at most 10 minutes after it was issued. */
const ISSUED_BEFORE_S = 30;
const LIFETIME_S = 600;
/** A kept JWT is replaced this long before it expires, so no request carries one about to lapse. */
const REUSE_MARGIN_MS = 60_000;

export interface AppJwt {
  readonly jwt: string;
  /** ISO time, as @octokit/auth-app expects. */
  readonly expiresAt: string;
}

export interface AppJwtSigner {
  /**
   * The App's JWT: the kept one while it has more than a minute left, else a new one.
   * `timeDifference` (seconds GitHub's clock is ahead of ours, which @octokit/auth-app passes
   * after GitHub refused a JWT as issued in the future) is remembered for every later JWT.
   * This is the `createJwt` option of @octokit/auth-app.
   */
  createJwt(appId: string | number, timeDifference?: number): Promise<AppJwt>;
  /** How many JWTs were signed so far (each costs an RSA signature). */
  signed(): number;
}

const base64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** Signs the App's JWTs (RS256, node:crypto) and keeps one until it nears its expiry. */
export function createAppJwtSigner(options: {
  readonly privateKey: string;
  readonly clock: Clock;
}): AppJwtSigner {
  let key: KeyObject | undefined;
  let kept: { appId: string | number; skewS: number; jwt: AppJwt; expiresAtMs: number } | undefined;
  let skewS = 0;
  let count = 0;
  return {
    async createJwt(appId, timeDifference) {
      if (timeDifference !== undefined) skewS = timeDifference;
      const now = options.clock.now();
      if (
        kept !== undefined &&
        kept.appId === appId &&
        kept.skewS === skewS &&
        kept.expiresAtMs - now > REUSE_MARGIN_MS
      ) {
        return kept.jwt;
      }
      key ??= createPrivateKey(options.privateKey);
      const nowS = Math.floor(now / 1000) + skewS;
      const claims = {
        iat: nowS - ISSUED_BEFORE_S,
        exp: nowS - ISSUED_BEFORE_S + LIFETIME_S,
        iss: appId,
      };
      const unsigned = `${base64url({ alg: 'RS256', typ: 'JWT' })}.${base64url(claims)}`;
      const signature = sign('RSA-SHA256', Buffer.from(unsigned), key).toString('base64url');
      // Our clock's time of expiry (GitHub's minus the skew), to decide when to replace it.
      const expiresAtMs = (claims.exp - skewS) * 1000;
      const jwt = {
        jwt: `${unsigned}.${signature}`,
        expiresAt: new Date(expiresAtMs).toISOString(),
      };
      kept = { appId, skewS, jwt, expiresAtMs };
      count += 1;
      return jwt;
    },
    signed: () => count,
  };
}
