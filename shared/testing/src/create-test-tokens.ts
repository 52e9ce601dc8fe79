import {
  createLocalJWKSet,
  exportJWK,
  generateKeyPair,
  type JSONWebKeySet,
  type JWTVerifyGetKey,
  SignJWT,
} from 'jose';

export interface TestTokenIssuer {
  /** The `iss` every token carries unless overridden; the verifier's expected issuer. */
  readonly issuer: string;
  /** The `aud` every token carries unless overridden; the verifier's expected audience. */
  readonly audience: string;
}

/** What a test may change in one token, to make it wrong in one way. */
export interface TestTokenOverrides {
  readonly issuer?: string;
  readonly audience?: string;
  /** `iat`, in seconds since the epoch; default now. */
  readonly issuedAt?: number;
  /** `exp`, in seconds since the epoch or a jose time span ('5m'); default '5m'. */
  readonly expiresAt?: number | string;
}

export interface TestTokens {
  /** The public key as the user service publishes it, for a JWKS route or server. */
  readonly jwks: JSONWebKeySet;
  /** The same key set for `createTokenVerifier({ keySet })`, without any HTTP. */
  readonly keySet: JWTVerifyGetKey;
  /** An ES256 access token for `subject`, signed with the set's private key. */
  sign(subject: string, overrides?: TestTokenOverrides): Promise<string>;
}

const KEY_ID = 'test-key';

/**
 * A fresh ES256 key pair standing in for the user service's, so services can be tested
 * with tokens the kit's verifier really checks (signature, issuer, audience, expiry)
 * instead of an authentication hook stubbed out.
 */
export async function createTestTokens(issuer: TestTokenIssuer): Promise<TestTokens> {
  const { publicKey, privateKey } = await generateKeyPair('ES256', { extractable: true });
  const jwks: JSONWebKeySet = {
    keys: [{ ...(await exportJWK(publicKey)), kid: KEY_ID, alg: 'ES256', use: 'sig' }],
  };
  return {
    jwks,
    keySet: createLocalJWKSet(jwks),
    sign: (subject, overrides = {}) =>
      new SignJWT({})
        .setProtectedHeader({ alg: 'ES256', kid: KEY_ID })
        .setSubject(subject)
        .setIssuer(overrides.issuer ?? issuer.issuer)
        .setAudience(overrides.audience ?? issuer.audience)
        .setIssuedAt(overrides.issuedAt)
        .setExpirationTime(overrides.expiresAt ?? '5m')
        .sign(privateKey),
  };
}
