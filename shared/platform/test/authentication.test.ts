import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, type JWK, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  callerOf,
  createAuthenticationHook,
  createTokenVerifier,
  type TokenVerifier,
} from '../src/authentication.ts';
import { kitErrors } from '../src/define-errors.ts';
import { AuthenticationError } from '../src/errors.ts';
import { buildTestApp } from './helper.ts';

const issuer = 'https://user.storekeeper.test';
const audience = 'storekeeper';
type Keys = Awaited<ReturnType<typeof generateKeyPair>>;

let keys: Keys;
let jwks: { keys: JWK[] };
let server: Server;
let jwksUrl: string;
let jwksRequests = 0;

beforeAll(async () => {
  keys = await generateKeyPair('ES256', { extractable: true });
  jwks = {
    keys: [{ ...(await exportJWK(keys.publicKey)), kid: 'key-1', alg: 'ES256', use: 'sig' }],
  };
  // The JWKS is served over real HTTP, as the user service serves it.
  server = createServer((_req, res) => {
    jwksRequests++;
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(jwks));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  jwksUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/.well-known/jwks.json`;
});
afterAll(() => new Promise((resolve) => server.close(resolve)));

function sign(
  overrides: {
    kid?: string;
    iss?: string;
    aud?: string;
    exp?: number;
    key?: Keys['privateKey'];
    sub?: string;
  } = {},
) {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({})
    .setProtectedHeader({ alg: 'ES256', kid: overrides.kid ?? 'key-1', typ: 'JWT' })
    .setSubject(overrides.sub ?? 'user-1')
    .setIssuer(overrides.iss ?? issuer)
    .setAudience(overrides.aud ?? audience)
    .setIssuedAt(now - 60)
    .setExpirationTime(overrides.exp ?? now + 300)
    .sign(overrides.key ?? keys.privateKey);
}

function verifier(): TokenVerifier {
  return createTokenVerifier({ jwksUrl, issuer, audience });
}

const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');

describe('token verifier', () => {
  it('accepts a valid token and names the caller', async () => {
    await expect(verifier().verify(await sign())).resolves.toEqual({ userId: 'user-1' });
  });

  it.each([
    ['expired', async () => sign({ exp: Math.floor(Date.now() / 1000) - 120 })],
    ['wrong issuer', async () => sign({ iss: 'https://evil.test' })],
    ['wrong audience', async () => sign({ aud: 'another-api' })],
    [
      'signed by a foreign key under our kid',
      async () => sign({ key: (await generateKeyPair('ES256')).privateKey }),
    ],
    [
      'tampered payload',
      async () => {
        const [header, , signature] = (await sign()).split('.');
        const now = Math.floor(Date.now() / 1000);
        return `${header}.${b64({ sub: 'admin', iss: issuer, aud: audience, iat: now, exp: now + 300 })}.${signature}`;
      },
    ],
    [
      'alg none',
      async () => {
        const now = Math.floor(Date.now() / 1000);
        return `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ sub: 'user-1', iss: issuer, aud: audience, iat: now, exp: now + 300 })}.`;
      },
    ],
    [
      'HS256 keyed with the public key',
      async () => {
        const secret = new TextEncoder().encode(JSON.stringify(jwks.keys[0]));
        const now = Math.floor(Date.now() / 1000);
        return new SignJWT({})
          .setProtectedHeader({ alg: 'HS256', kid: 'key-1' })
          .setSubject('user-1')
          .setIssuer(issuer)
          .setAudience(audience)
          .setIssuedAt(now)
          .setExpirationTime(now + 300)
          .sign(secret);
      },
    ],
    ['garbage', async () => 'not.a.jwt'],
  ])('rejects a token that is %s', async (_label, make) => {
    await expect(verifier().verify(await make())).rejects.toBeInstanceOf(AuthenticationError);
  });

  it('answers JWKS_UNAVAILABLE when the JWKS does not answer in time', async () => {
    // Accepts the connection and never answers: the verifier's fetch times out (2 s).
    const silent = createServer(() => {});
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = silent.address() as AddressInfo;
      const v = createTokenVerifier({ jwksUrl: `http://127.0.0.1:${port}/jwks`, issuer, audience });
      await expect(v.verify(await sign())).rejects.toMatchObject({
        code: 'JWKS_UNAVAILABLE',
        status: kitErrors.specs.JWKS_UNAVAILABLE.status,
        title: kitErrors.specs.JWKS_UNAVAILABLE.title,
      });
    } finally {
      silent.closeAllConnections();
      await new Promise((resolve) => silent.close(resolve));
    }
  });

  it('picks up a rotated key by refetching the JWKS on an unknown kid', async () => {
    const v = createTokenVerifier({ jwksUrl, issuer, audience, jwksCooldownMs: 0 });
    await v.verify(await sign());
    const rotated = await generateKeyPair('ES256', { extractable: true });
    jwks.keys.push({
      ...(await exportJWK(rotated.publicKey)),
      kid: 'key-2',
      alg: 'ES256',
      use: 'sig',
    });
    const before = jwksRequests;
    await expect(v.verify(await sign({ kid: 'key-2', key: rotated.privateKey }))).resolves.toEqual({
      userId: 'user-1',
    });
    expect(jwksRequests).toBe(before + 1);
  });
});

describe('authentication hook', () => {
  async function app() {
    const authenticate = createAuthenticationHook(verifier());
    const built = await buildTestApp({
      routes: async (scope) => {
        scope.get('/me', { onRequest: authenticate }, async (request) => ({
          caller: request.caller,
        }));
      },
    });
    return built.app;
  }

  it('exposes the caller of a valid bearer token', async () => {
    const a = await app();
    const response = await a.inject({
      url: '/me',
      headers: { authorization: `Bearer ${await sign()}` },
    });
    expect(response.json()).toEqual({ caller: { userId: 'user-1' } });
    await a.close();
  });

  it.each([
    ['no header', undefined],
    ['another scheme', 'Basic dXNlcjpwYXNz'],
    ['an empty bearer', 'Bearer '],
  ])('answers 401 problem+json with a challenge for %s', async (_label, authorization) => {
    const a = await app();
    const response = await a.inject({
      url: '/me',
      headers: authorization ? { authorization } : {},
    });
    expect(response.statusCode).toBe(401);
    expect(response.headers['www-authenticate']).toContain('Bearer');
    expect(response.json()).toMatchObject({ code: 'INVALID_TOKEN', status: 401 });
    await a.close();
  });
});

describe('callerOf', () => {
  it('gives a protected route the caller the hook verified', async () => {
    const authenticate = createAuthenticationHook(verifier());
    const { app: a } = await buildTestApp({
      routes: async (scope) => {
        scope.get('/me', { onRequest: authenticate }, async (request) => callerOf(request));
      },
    });
    const response = await a.inject({
      url: '/me',
      headers: { authorization: `Bearer ${await sign({ sub: 'user-7' })}` },
    });
    expect(response.json()).toEqual({ userId: 'user-7' });
    await a.close();
  });

  it('refuses, and logs, on a route wired without the authentication hook', async () => {
    const built = await buildTestApp({
      routes: async (scope) => {
        scope.get('/me', async (request) => ({ userId: callerOf(request).userId }));
      },
    });
    const response = await built.app.inject({
      url: '/me',
      headers: { authorization: `Bearer ${await sign()}` },
    });
    expect(response.statusCode).toBe(401);
    expect(response.json()).toMatchObject({ code: 'UNAUTHENTICATED' });
    const logged = built.logs.lines.map((line) => JSON.parse(line));
    expect(logged).toContainEqual(
      expect.objectContaining({
        level: 'error',
        route: '/me',
        msg: 'callerOf() on a route without the authentication hook',
      }),
    );
    await built.app.close();
  });
});
