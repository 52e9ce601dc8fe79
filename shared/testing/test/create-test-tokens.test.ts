import { jwtVerify } from 'jose';
import { describe, expect, it } from 'vitest';
import { createTestTokens } from '../src/create-test-tokens.ts';

// Verified the way the kit's token verifier does (ES256, issuer, audience, required
// claims), through jose directly: @storekeeper/platform's own tests depend on this package.
const issuer = 'storekeeper-user';
const audience = 'storekeeper-api';
const verifyOptions = {
  algorithms: ['ES256'],
  issuer,
  audience,
  requiredClaims: ['sub', 'exp', 'iat'],
};
const nowSeconds = () => Math.floor(Date.now() / 1000);

describe('createTestTokens', () => {
  it('signs tokens that verify against its key set, for the given subject', async () => {
    const tokens = await createTestTokens({ issuer, audience });
    const { payload, protectedHeader } = await jwtVerify(
      await tokens.sign('user-1'),
      tokens.keySet,
      verifyOptions,
    );
    expect(payload).toMatchObject({ sub: 'user-1', iss: issuer, aud: audience });
    expect(protectedHeader).toMatchObject({ alg: 'ES256', kid: tokens.jwks.keys[0]?.kid });
  });

  it('publishes only the public key in its JWKS', async () => {
    const { jwks } = await createTestTokens({ issuer, audience });
    expect(jwks.keys).toHaveLength(1);
    expect(jwks.keys[0]).toMatchObject({ kty: 'EC', crv: 'P-256', alg: 'ES256' });
    expect(jwks.keys[0]).not.toHaveProperty('d');
  });

  it('signs a token another issuer’s verifier refuses', async () => {
    const tokens = await createTestTokens({ issuer, audience });
    const foreign = await tokens.sign('user-1', { issuer: 'someone-else' });
    await expect(jwtVerify(foreign, tokens.keySet, verifyOptions)).rejects.toMatchObject({
      code: 'ERR_JWT_CLAIM_VALIDATION_FAILED',
      claim: 'iss',
    });
  });

  it('signs an expired token when asked, which does not verify', async () => {
    const tokens = await createTestTokens({ issuer, audience });
    const expired = await tokens.sign('user-1', {
      issuedAt: nowSeconds() - 600,
      expiresAt: nowSeconds() - 60,
    });
    await expect(jwtVerify(expired, tokens.keySet, verifyOptions)).rejects.toMatchObject({
      code: 'ERR_JWT_EXPIRED',
    });
  });

  it('gives each set its own key: another set’s tokens do not verify', async () => {
    const [mine, theirs] = await Promise.all([
      createTestTokens({ issuer, audience }),
      createTestTokens({ issuer, audience }),
    ]);
    await expect(
      jwtVerify(await theirs.sign('user-1'), mine.keySet, verifyOptions),
    ).rejects.toMatchObject({ code: 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED' });
  });
});
