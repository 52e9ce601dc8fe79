import type {
  FastifyBaseLogger,
  FastifyReply,
  FastifyRequest,
  onRequestAsyncHookHandler,
} from 'fastify';
import { type JWTVerifyGetKey, jwtVerify } from 'jose';
import { Type } from 'typebox';
import { kitErrors } from './define-errors.ts';
import { createJwksKeySet, JwksUnavailable } from './jwks-key-set.ts';
import { createVerifiedTokenCache } from './verified-token-cache.ts';

/** Who is calling, as proven by a verified access token. */
export interface Caller {
  readonly userId: string;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by the authentication hook on protected routes; null elsewhere. */
    caller: Caller | null;
  }
}

interface TokenVerifierCommonOptions {
  readonly issuer: string;
  readonly audience: string;
  /** Tolerated clock difference between issuer and verifier. */
  readonly clockToleranceSeconds?: number;
  /**
   * Minimum time between two JWKS fetches (default 30 s). The issuer publishes a new key
   * before it signs with it, so a cached set normally already holds it.
   */
  readonly jwksCooldownMs?: number;
  /**
   * How many verified tokens to remember (default 10,000; 0 turns the cache off). A token
   * seen before is accepted without checking its signature again, until its `exp`.
   */
  readonly cacheMaxEntries?: number;
  /** The clock, in epoch milliseconds (default `Date.now`); tests move it. */
  readonly now?: () => number;
}

/** Keys from the user service's JWKS URL, or a key set at hand (the user service itself, tests). */
export type TokenVerifierOptions = TokenVerifierCommonOptions &
  (
    | {
        /** The user service's JWKS, e.g. `http://user:3001/.well-known/jwks.json`. */
        readonly jwksUrl: string;
        readonly keySet?: never;
      }
    | { readonly keySet: JWTVerifyGetKey; readonly jwksUrl?: never }
  );

export interface TokenVerifier {
  /** The caller of a valid token; AuthenticationError for anything else. */
  verify(token: string): Promise<Caller>;
}

const ALGORITHMS = ['ES256'];
const DEFAULT_CACHE_MAX_ENTRIES = 10_000;

/**
 * Verifies ES256 access tokens against the issuer's JWKS. Keys are cached; an unknown
 * `kid` (a rotated key) triggers a refetch, at most once per cooldown, so a flood of
 * forged tokens cannot make us hammer the user service. While the user service is away,
 * the keys at hand keep serving; with none at hand the answer is 503 JWKS_UNAVAILABLE,
 * not a 401 (jwks-key-set.ts).
 *
 * Verified tokens are cached too (ADR 0045): the gateway and each service behind it
 * verify the same token on every request, and the ECDSA check is the expensive part.
 * Only successes are kept, bounded in number and never past the token's `exp`; a
 * refused token is verified again each time.
 */
export function createTokenVerifier(options: TokenVerifierOptions): TokenVerifier {
  const now = options.now ?? Date.now;
  const keys =
    options.keySet !== undefined
      ? options.keySet
      : createJwksKeySet(new URL(options.jwksUrl), {
          timeoutMs: 2_000,
          maxAgeMs: 10 * 60_000,
          cooldownMs: options.jwksCooldownMs ?? 30_000,
          retryAfterFailureMs: 1_000,
          now,
        });
  const verified = createVerifiedTokenCache<Caller>(
    options.cacheMaxEntries ?? DEFAULT_CACHE_MAX_ENTRIES,
  );
  return {
    async verify(token) {
      const at = now();
      const cached = verified.get(token, at);
      if (cached) return cached;
      try {
        const { payload } = await jwtVerify(token, keys, {
          algorithms: ALGORITHMS,
          issuer: options.issuer,
          audience: options.audience,
          requiredClaims: ['sub', 'exp', 'iat'],
          clockTolerance: options.clockToleranceSeconds ?? 5,
          currentDate: new Date(at),
        });
        if (typeof payload.sub !== 'string' || payload.sub.length === 0)
          throw new Error('no subject');
        const caller: Caller = Object.freeze({ userId: payload.sub });
        verified.set(token, { value: caller, expiresAtMs: (payload.exp as number) * 1000 }, at);
        return caller;
      } catch (error) {
        // One answer for every defect: a client learns nothing from the difference.
        throw kitErrors.create(
          error instanceof JwksUnavailable ? 'JWKS_UNAVAILABLE' : 'INVALID_TOKEN',
          'The access token is missing, invalid or expired',
          { cause: error },
        );
      }
    },
  };
}

/** The bearer token of a request, or undefined. */
export function bearerToken(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (!header) return undefined;
  const [scheme, token, ...rest] = header.split(' ');
  if (scheme?.toLowerCase() !== 'bearer' || !token || rest.length > 0) return undefined;
  return token;
}

/**
 * An onRequest hook for protected routes: verifies the bearer token and sets
 * `request.caller`, or answers 401 with a `WWW-Authenticate` challenge.
 */
export function createAuthenticationHook(verifier: TokenVerifier): onRequestAsyncHookHandler {
  return async function authenticate(request: FastifyRequest, reply: FastifyReply) {
    const token = bearerToken(request);
    void reply.header('www-authenticate', 'Bearer realm="storekeeper"');
    if (!token)
      throw kitErrors.create('INVALID_TOKEN', 'The access token is missing, invalid or expired');
    request.caller = await verifier.verify(token);
    // The request's own logger (Fastify makes one per request) takes the caller as a
    // binding: a child logger per request would cost more than the line it might write.
    const log = request.log as FastifyBaseLogger & { setBindings?: (b: object) => void };
    if (log.setBindings) log.setBindings({ userId: request.caller.userId });
    else request.log = request.log.child({ userId: request.caller.userId });
    reply.removeHeader('www-authenticate');
  };
}

/**
 * The caller of a protected route, for its handler: `users.profile(callerOf(request).userId)`.
 * A route registered without the authentication hook has no caller: it then throws an
 * AuthenticationError (401 UNAUTHENTICATED) and logs why, rather than act for an empty id.
 */
export function callerOf(request: FastifyRequest): Caller {
  if (request.caller) return request.caller;
  request.log.error(
    { route: request.routeOptions.url },
    'callerOf() on a route without the authentication hook',
  );
  throw kitErrors.create('UNAUTHENTICATED', 'Authentication is required');
}

/**
 * The settings a service needs to verify access tokens; spread into its `defineConfig`.
 * The defaults fit `pnpm start`; on ECS the JWKS URL is the user service's Service
 * Connect name.
 */
export const tokenVerificationConfigProperties = {
  JWKS_URL: Type.String({
    pattern: '^https?://',
    default: 'http://127.0.0.1:3001/.well-known/jwks.json',
    description: 'The user service JWKS that verifies access tokens',
  }),
  JWT_ISSUER: Type.String({
    minLength: 1,
    default: 'storekeeper-user',
    description: 'Expected iss of access tokens',
  }),
  JWT_AUDIENCE: Type.String({
    minLength: 1,
    default: 'storekeeper-api',
    description: 'Expected aud of access tokens',
  }),
};

/** A verifier from those settings. */
export function tokenVerifierFromConfig(config: {
  readonly JWKS_URL: string;
  readonly JWT_ISSUER: string;
  readonly JWT_AUDIENCE: string;
}): TokenVerifier {
  return createTokenVerifier({
    jwksUrl: config.JWKS_URL,
    issuer: config.JWT_ISSUER,
    audience: config.JWT_AUDIENCE,
  });
}
