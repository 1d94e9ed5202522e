import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createPublicKey, verify } from 'node:crypto';
import { createAppJwtSigner } from '../../src/github/app-jwt.js';
import { createAppOctokits } from '../../src/github/app-octokits.js';
import { createInstallationTokenCache } from '../../src/github/installation-token-cache.js';
import { FakeGitHub } from '../../sim/fake-github.js';
import { testPrivateKey } from '../../sim/harness.js';
import { FakeClock } from '../../sim/fake-clock.js';

function decode(jwt: string) {
  const [header, claims, signature] = jwt.split('.') as [string, string, string];
  const valid = verify(
    'RSA-SHA256',
    Buffer.from(`${header}.${claims}`),
    createPublicKey(testPrivateKey()),
    Buffer.from(signature, 'base64url'),
  );
  return {
    header: JSON.parse(Buffer.from(header, 'base64url').toString()) as Record<string, unknown>,
    claims: JSON.parse(Buffer.from(claims, 'base64url').toString()) as {
      iat: number;
      exp: number;
      iss: number;
    },
    valid,
  };
}

describe('the App JWT signer', () => {
  it('signs an RS256 JWT for the App that GitHub accepts: issued 30 s back, 10 minutes long', async () => {
    const clock = new FakeClock('manual', 1_700_000_000_000);
    const signer = createAppJwtSigner({ privateKey: testPrivateKey(), clock });
    const { jwt, expiresAt } = await signer.createJwt(12345);
    const { header, claims, valid } = decode(jwt);
    expect(valid).toBe(true);
    expect(header).toEqual({ alg: 'RS256', typ: 'JWT' });
    expect(claims).toEqual({ iat: 1_700_000_000 - 30, exp: 1_700_000_000 + 570, iss: 12345 });
    expect(expiresAt).toBe(new Date((1_700_000_000 + 570) * 1000).toISOString());
  });

  it('keeps one JWT until a minute before it expires, then signs a new one', async () => {
    const clock = new FakeClock('manual', 1_700_000_000_000);
    const signer = createAppJwtSigner({ privateKey: testPrivateKey(), clock });
    const first = await signer.createJwt(12345);
    await clock.advance(500_000); // 70 s left
    expect(await signer.createJwt(12345)).toBe(first);
    await clock.advance(10_001); // under a minute left
    const second = await signer.createJwt(12345);
    expect(second.jwt).not.toBe(first.jwt);
    expect(decode(second.jwt).claims.iat).toBe(1_700_000_510 - 30);
    expect(signer.signed()).toBe(2);
  });

  it("remembers GitHub's clock difference for every later JWT", async () => {
    const clock = new FakeClock('manual', 1_700_000_000_000);
    const signer = createAppJwtSigner({ privateKey: testPrivateKey(), clock });
    await signer.createJwt(12345);
    // GitHub refused the JWT as issued in the future: its clock is 120 s behind ours.
    const corrected = await signer.createJwt(12345, -120);
    expect(decode(corrected.jwt).claims.iat).toBe(1_700_000_000 - 120 - 30);
    expect(await signer.createJwt(12345)).toBe(corrected);
    // Expiry is kept on our clock: replaced a minute before GitHub would refuse it.
    expect(Date.parse(corrected.expiresAt)).toBe((1_700_000_000 + 570) * 1000);
  });
});

describe('the installation token cache', () => {
  const entry = (expiresAt: string) =>
    ['ghs_token', '2024-01-01T00:00:00Z', expiresAt, 'all', 'actions', ''].join('|');

  it("answers a kept token until five minutes before GitHub's expiry, then nothing", async () => {
    const clock = new FakeClock('manual', Date.parse('2024-01-01T00:00:00Z'));
    const cache = createInstallationTokenCache({ clock });
    cache.set('7', entry('2024-01-01T01:00:00Z'));
    expect(cache.get('7')).toBe(entry('2024-01-01T01:00:00Z'));
    await clock.advance(55 * 60_000 - 1);
    expect(cache.get('7')).toBeDefined();
    await clock.advance(1);
    expect(cache.get('7')).toBeUndefined();
    expect(cache.size()).toBe(0);
  });

  it('drops the oldest token beyond its bound', () => {
    const clock = new FakeClock('manual', Date.parse('2024-01-01T00:00:00Z'));
    const cache = createInstallationTokenCache({ clock, maxEntries: 2 });
    for (const key of ['1', '2', '3']) cache.set(key, entry('2024-01-01T01:00:00Z'));
    expect(cache.get('1')).toBeUndefined();
    expect(cache.get('3')).toBeDefined();
    expect(cache.size()).toBe(2);
  });
});

describe('createAppOctokits against a GitHub over HTTP', () => {
  let github: FakeGitHub;
  beforeAll(async () => {
    github = await new FakeGitHub().start();
  });
  afterAll(async () => {
    await github.stop();
  });

  /** Real time plus an offset the test moves. */
  const shiftedClock = () => {
    let offset = 0;
    return {
      now: () => Date.now() + offset,
      sleep: (ms: number) => new Promise<void>((r) => setTimeout(r, ms)),
      skip: (ms: number) => {
        offset += ms;
      },
    };
  };
  const silent = { debug() {}, info() {}, warn() {}, error() {} };

  it('calls App routes with one kept JWT and installation routes with one kept token, refreshed near its expiry', async () => {
    const clock = shiftedClock();
    const octokits = createAppOctokits({
      appId: 12345,
      privateKey: testPrivateKey(),
      baseUrl: github.baseUrl,
      clock,
      log: silent,
    });
    github.requests.length = 0;
    const app = octokits.app();
    await app.request('GET /app');
    await app.request('GET /app/installations');
    const jwts = github.requests.map((r) => r.authorization);
    expect(jwts[0]).toMatch(/^bearer [\w-]+\.[\w-]+\.[\w-]+$/);
    expect(jwts[1]).toBe(jwts[0]);
    expect(decode(String(jwts[0]).slice('bearer '.length)).claims.iss).toBe(12345);

    const installation = octokits.installation(7);
    await installation.request('GET /orgs/{org}/actions/runners', { org: 'acme' });
    await octokits.installation(7).request('GET /orgs/{org}/actions/runners', { org: 'acme' });
    const minted = () => github.requests.filter((r) => r.path.endsWith('/access_tokens')).length;
    expect(minted()).toBe(1);
    expect(octokits.tokens()).toEqual({ installationTokens: 1, jwtsSigned: 1 });

    clock.skip(56 * 60_000); // the token (an hour long) has under five minutes left
    await installation.request('GET /orgs/{org}/actions/runners', { org: 'acme' });
    expect(minted()).toBe(2);
    const tokens = github.requests
      .filter((r) => r.path === '/orgs/acme/actions/runners')
      .map((r) => r.authorization);
    expect(tokens[0]).toMatch(/^token ghs_/);
    expect(tokens[1]).toBe(tokens[0]);
    expect(tokens[2]).not.toBe(tokens[0]);
    expect(octokits.tokens().jwtsSigned).toBe(2); // the old JWT had expired too
  });
});
