import { generateKeyPairSync } from 'node:crypto';
import { createLocalJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { describe, expect, it } from 'vitest';
import { createTokenIssuer } from '../../src/adapters/token-issuer.ts';

const pem = (type: 'ec' | 'rsa') =>
  (type === 'ec'
    ? generateKeyPairSync('ec', { namedCurve: 'prime256v1' })
    : generateKeyPairSync('rsa', { modulusLength: 2048 })
  ).privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;

describe('token issuer', () => {
  const options = { issuer: 'storekeeper-user', audience: 'storekeeper-api', ttlSeconds: 900 };

  it('issues ES256 tokens that verify against its JWKS, with iss, aud, exp, kid', async () => {
    const issuer = await createTokenIssuer({ ...options, privateKeyPem: pem('ec') });
    const { accessToken, tokenType, expiresIn } = await issuer.issue(
      '3f1c1e4e-0c3a-4c55-9a59-8b3a2a0f0d11',
    );
    expect({ tokenType, expiresIn }).toEqual({ tokenType: 'Bearer', expiresIn: 900 });
    const { payload, protectedHeader } = await jwtVerify(
      accessToken,
      createLocalJWKSet(issuer.jwks()),
      {
        issuer: options.issuer,
        audience: options.audience,
        algorithms: ['ES256'],
      },
    );
    expect(payload.sub).toBe('3f1c1e4e-0c3a-4c55-9a59-8b3a2a0f0d11');
    expect((payload.exp ?? 0) - (payload.iat ?? 0)).toBe(900);
    expect(protectedHeader.kid).toBe(issuer.jwks().keys[0]?.kid);
  });

  it('publishes only the public half of the key', async () => {
    const issuer = await createTokenIssuer({ ...options, privateKeyPem: pem('ec') });
    const [key] = issuer.jwks().keys;
    expect(key).toMatchObject({ kty: 'EC', crv: 'P-256', alg: 'ES256', use: 'sig' });
    expect(key).not.toHaveProperty('d');
  });

  it('derives a new kid for a new key', async () => {
    const a = await createTokenIssuer({ ...options, privateKeyPem: pem('ec') });
    const b = await createTokenIssuer({ ...options, privateKeyPem: pem('ec') });
    const kidOf = async (i: typeof a) =>
      decodeProtectedHeader((await i.issue('u')).accessToken).kid;
    expect(await kidOf(a)).not.toBe(await kidOf(b));
  });

  it('refuses a key that is not P-256, without echoing it', async () => {
    const rsa = pem('rsa');
    const error = await createTokenIssuer({ ...options, privateKeyPem: rsa }).catch(
      (e: Error) => e,
    );
    expect((error as Error).message).toBe('JWT_PRIVATE_KEY must be a P-256 (ES256) key');
    const garbage = await createTokenIssuer({ ...options, privateKeyPem: 'not a key' }).catch(
      (e: Error) => e,
    );
    expect((garbage as Error).message).toBe('JWT_PRIVATE_KEY is not a PEM private key');
  });
});
