import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import { calculateJwkThumbprint, exportJWK, type JWK, SignJWT } from 'jose';

export interface TokenIssuerOptions {
  /** PKCS#8 PEM of a P-256 private key (from SSM SecureString in AWS). */
  readonly privateKeyPem: string;
  readonly issuer: string;
  readonly audience: string;
  readonly ttlSeconds: number;
}

export interface AccessToken {
  readonly accessToken: string;
  readonly tokenType: 'Bearer';
  readonly expiresIn: number;
}

export interface TokenIssuer {
  issue(userId: string): Promise<AccessToken>;
  /** The public half, as the JWKS other services verify against. */
  jwks(): { keys: JWK[] };
}

/**
 * Signs ES256 access tokens. The key id is the key's RFC 7638 thumbprint, so a rotated
 * key gets a new `kid` without anyone having to choose one.
 */
export async function createTokenIssuer(options: TokenIssuerOptions): Promise<TokenIssuer> {
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey(options.privateKeyPem);
  } catch (error) {
    // Never include the key material in the message.
    throw new Error('JWT_PRIVATE_KEY is not a PEM private key', { cause: error });
  }
  if (
    privateKey.asymmetricKeyType !== 'ec' ||
    privateKey.asymmetricKeyDetails?.namedCurve !== 'prime256v1'
  ) {
    throw new Error('JWT_PRIVATE_KEY must be a P-256 (ES256) key');
  }
  const publicJwk = await exportJWK(createPublicKey(privateKey));
  const kid = await calculateJwkThumbprint(publicJwk);
  const jwks = { keys: [{ ...publicJwk, kid, alg: 'ES256', use: 'sig' }] };

  return {
    async issue(userId) {
      const accessToken = await new SignJWT({})
        .setProtectedHeader({ alg: 'ES256', kid, typ: 'at+jwt' })
        .setSubject(userId)
        .setIssuer(options.issuer)
        .setAudience(options.audience)
        .setIssuedAt()
        .setExpirationTime(`${options.ttlSeconds}s`)
        .setJti(crypto.randomUUID())
        .sign(privateKey);
      return { accessToken, tokenType: 'Bearer', expiresIn: options.ttlSeconds };
    },
    jwks: () => jwks,
  };
}
