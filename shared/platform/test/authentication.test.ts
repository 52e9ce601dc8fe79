import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { waitFor } from '@storekeeper/testing';
import {
  createRemoteJWKSet,
  exportJWK,
  generateKeyPair,
  type JWK,
  type JWTVerifyGetKey,
  SignJWT,
} from 'jose';
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

  /** A JWKS endpoint whose answer the test sets: the key set, or a status. */
  async function jwksEndpoint() {
    const state = { status: 503, requests: 0, keys: jwks };
    const issuerServer = createServer((_req, res) => {
      state.requests++;
      if (state.status !== 200) res.writeHead(state.status).end('{"title":"unavailable"}');
      else
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(state.keys));
    });
    await new Promise<void>((resolve) => issuerServer.listen(0, '127.0.0.1', resolve));
    const { port } = issuerServer.address() as AddressInfo;
    return {
      state,
      url: `http://127.0.0.1:${port}/.well-known/jwks.json`,
      close: () => new Promise((resolve) => issuerServer.close(resolve)),
    };
  }

  it('answers JWKS_UNAVAILABLE, not INVALID_TOKEN, while the issuer fails, and fetches once a second at most', async () => {
    const issuing = await jwksEndpoint();
    let clock = Date.now();
    try {
      const v = createTokenVerifier({ jwksUrl: issuing.url, issuer, audience, now: () => clock });
      for (let n = 0; n < 20; n++) {
        await expect(v.verify(await sign({ sub: `user-${n}` }))).rejects.toMatchObject({
          code: 'JWKS_UNAVAILABLE',
        });
      }
      expect(issuing.state.requests).toBe(1);
      // A second on, it asks again; once the issuer answers, tokens are accepted.
      clock += 1_000;
      issuing.state.status = 200;
      await expect(v.verify(await sign({ sub: 'user-20' }))).resolves.toEqual({
        userId: 'user-20',
      });
      expect(issuing.state.requests).toBe(2);
    } finally {
      await issuing.close();
    }
    // A refused connection is the same outage.
    const refused = createTokenVerifier({ jwksUrl: issuing.url, issuer, audience });
    await expect(refused.verify(await sign())).rejects.toMatchObject({ code: 'JWKS_UNAVAILABLE' });
  });

  it('keeps the keys it has while a refresh fails, and drops a retired key once one succeeds', async () => {
    const issuing = await jwksEndpoint();
    issuing.state.status = 200;
    let clock = Date.now();
    // Tokens valid for an hour: the clock moves past the key set's ten minutes.
    const longLived = (sub: string) => sign({ sub, exp: Math.floor(Date.now() / 1000) + 3_600 });
    try {
      const v = createTokenVerifier({ jwksUrl: issuing.url, issuer, audience, now: () => clock });
      await expect(v.verify(await longLived('a'))).resolves.toEqual({ userId: 'a' });
      expect(issuing.state.requests).toBe(1);

      // Eleven minutes on, the issuer is down: new tokens are still accepted.
      clock += 11 * 60_000;
      issuing.state.status = 503;
      await expect(v.verify(await longLived('b'))).resolves.toEqual({ userId: 'b' });
      await waitFor(() => issuing.state.requests === 2, { description: 'a refresh to be tried' });
      await expect(v.verify(await longLived('c'))).resolves.toEqual({ userId: 'c' });
      expect(issuing.state.requests).toBe(2);

      // Back, with key-1 retired: the refresh takes, and key-1's tokens are refused after it.
      clock += 1_000;
      const rotated = await generateKeyPair('ES256', { extractable: true });
      issuing.state.status = 200;
      issuing.state.keys = {
        keys: [{ ...(await exportJWK(rotated.publicKey)), kid: 'key-2', alg: 'ES256' }],
      };
      await expect(v.verify(await longLived('d'))).resolves.toEqual({ userId: 'd' });
      // key-2's token needs the fresh set: it waits for the refresh the last call started.
      const byKey2 = await sign({
        sub: 'f',
        kid: 'key-2',
        key: rotated.privateKey,
        exp: Math.floor(Date.now() / 1000) + 3_600,
      });
      await expect(v.verify(byKey2)).resolves.toEqual({ userId: 'f' });
      expect(issuing.state.requests).toBe(3);
      await expect(v.verify(await longLived('e'))).rejects.toMatchObject({
        code: 'INVALID_TOKEN',
      });
    } finally {
      await issuing.close();
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

describe('verified token cache', () => {
  /** The remote key set, counting how often verification asks it for a key. */
  function countedKeySet() {
    const remote = createRemoteJWKSet(new URL(jwksUrl), { cooldownDuration: 0 });
    const counted = {
      calls: 0,
      keySet: ((header, token) => {
        counted.calls++;
        return remote(header, token);
      }) as JWTVerifyGetKey,
    };
    return counted;
  }

  it('accepts a token verified before without checking its signature again', async () => {
    const keys = countedKeySet();
    const v = createTokenVerifier({ keySet: keys.keySet, issuer, audience });
    const token = await sign();
    for (let i = 0; i < 3; i++)
      await expect(v.verify(token)).resolves.toEqual({ userId: 'user-1' });
    expect(keys.calls).toBe(1);
  });

  it('serves a cached token only until its exp, then verifies it again', async () => {
    const keys = countedKeySet();
    let clock = Date.now();
    const v = createTokenVerifier({ keySet: keys.keySet, issuer, audience, now: () => clock });
    const exp = Math.floor(clock / 1000) + 60;
    const token = await sign({ exp });
    await v.verify(token);
    clock = exp * 1000 - 1;
    await v.verify(token);
    expect(keys.calls).toBe(1);
    // At exp the cache lets go; the verifier's 5 s tolerance still accepts the token.
    clock = exp * 1000 + 1_000;
    await expect(v.verify(token)).resolves.toEqual({ userId: 'user-1' });
    expect(keys.calls).toBe(2);
  });

  it('refuses an expired token even when it was cached before expiry', async () => {
    let clock = Date.now();
    const v = createTokenVerifier({ jwksUrl, issuer, audience, now: () => clock });
    const exp = Math.floor(clock / 1000) + 60;
    const token = await sign({ exp });
    await expect(v.verify(token)).resolves.toEqual({ userId: 'user-1' });
    clock = exp * 1000 + 6_000;
    await expect(v.verify(token)).rejects.toMatchObject({ code: 'INVALID_TOKEN' });
  });

  it('is bounded: the least recently used token is evicted first', async () => {
    const keys = countedKeySet();
    const v = createTokenVerifier({ keySet: keys.keySet, issuer, audience, cacheMaxEntries: 2 });
    const a = await sign({ sub: 'a' });
    const b = await sign({ sub: 'b' });
    const c = await sign({ sub: 'c' });
    await v.verify(a);
    await v.verify(b);
    await v.verify(a); // a is now the most recently used
    await v.verify(c); // evicts b
    expect(keys.calls).toBe(3);
    await expect(v.verify(a)).resolves.toEqual({ userId: 'a' });
    await expect(v.verify(c)).resolves.toEqual({ userId: 'c' });
    expect(keys.calls).toBe(3);
    await expect(v.verify(b)).resolves.toEqual({ userId: 'b' });
    expect(keys.calls).toBe(4);
  });

  it('verifies every time with the cache turned off', async () => {
    const keys = countedKeySet();
    const v = createTokenVerifier({ keySet: keys.keySet, issuer, audience, cacheMaxEntries: 0 });
    const token = await sign();
    await v.verify(token);
    await v.verify(token);
    expect(keys.calls).toBe(2);
  });

  it.each([
    ['for another audience', async () => sign({ aud: 'another-api' })],
    [
      'signed by a foreign key',
      async () => sign({ key: (await generateKeyPair('ES256')).privateKey }),
    ],
  ])('never caches a refused token (%s)', async (_label, make) => {
    const keys = countedKeySet();
    const v = createTokenVerifier({ keySet: keys.keySet, issuer, audience });
    const token = await make();
    await expect(v.verify(token)).rejects.toMatchObject({ code: 'INVALID_TOKEN' });
    await expect(v.verify(token)).rejects.toMatchObject({ code: 'INVALID_TOKEN' });
    expect(keys.calls).toBe(2);
  });

  it('keys on the whole token: a token differing only in its signature is verified', async () => {
    const keys = countedKeySet();
    const v = createTokenVerifier({ keySet: keys.keySet, issuer, audience });
    const token = await sign();
    await v.verify(token);
    const [header, payload] = token.split('.');
    const forged = `${header}.${payload}.${Buffer.alloc(64, 1).toString('base64url')}`;
    await expect(v.verify(forged)).rejects.toMatchObject({ code: 'INVALID_TOKEN' });
    expect(keys.calls).toBe(2);
  });

  it('still refetches the JWKS for an unknown kid while tokens are cached', async () => {
    const v = createTokenVerifier({ jwksUrl, issuer, audience, jwksCooldownMs: 0 });
    const token = await sign();
    await v.verify(token);
    const afterFirst = jwksRequests;
    await v.verify(token);
    expect(jwksRequests).toBe(afterFirst);
    const rotated = await generateKeyPair('ES256', { extractable: true });
    jwks.keys.push({
      ...(await exportJWK(rotated.publicKey)),
      kid: 'key-3',
      alg: 'ES256',
      use: 'sig',
    });
    await expect(
      v.verify(await sign({ kid: 'key-3', key: rotated.privateKey, sub: 'user-3' })),
    ).resolves.toEqual({ userId: 'user-3' });
    expect(jwksRequests).toBe(afterFirst + 1);
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

  it('puts the caller on the request’s log lines, and only on that request’s', async () => {
    const authenticate = createAuthenticationHook(verifier());
    const { app: a, logs } = await buildTestApp({
      routes: async (scope) => {
        scope.get('/me', { onRequest: authenticate }, async (request) => {
          request.log.info('handled');
          return {};
        });
        scope.get('/open', async (request) => {
          request.log.info('handled');
          return {};
        });
      },
    });
    await a.inject({
      url: '/me',
      headers: { authorization: `Bearer ${await sign({ sub: 'user-7' })}` },
    });
    await a.inject({ url: '/open' });
    await a.inject({
      url: '/me',
      headers: { authorization: `Bearer ${await sign({ sub: 'user-8' })}` },
    });
    a.log.info('after');

    const lines = logs.lines.map((line) => JSON.parse(line));
    const handled = lines.filter((l) => l.msg === 'handled');
    expect(handled.map((l) => l.userId)).toEqual(['user-7', undefined, 'user-8']);
    expect(lines.find((l) => l.msg === 'after')?.userId).toBeUndefined();
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
