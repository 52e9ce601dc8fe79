import {
  createLocalJWKSet,
  type JSONWebKeySet,
  type JWTVerifyGetKey,
  errors as joseErrors,
} from 'jose';

/** The issuer's key set could not be had: no answer in time, refused, not 200, not a key set. */
export class JwksUnavailable extends Error {
  override readonly name = 'JwksUnavailable';
}

export interface JwksKeySetOptions {
  /** Bound for one fetch. */
  readonly timeoutMs: number;
  /** Keys older than this are fetched again, so a retired key stops being accepted. */
  readonly maxAgeMs: number;
  /** Least time between two fetches for an unknown `kid` (a rotated key). */
  readonly cooldownMs: number;
  /** Least time between a failed fetch and the next one. */
  readonly retryAfterFailureMs: number;
  /** The clock, in epoch milliseconds. */
  readonly now: () => number;
}

type LocalKeySet = ReturnType<typeof createLocalJWKSet>;

/**
 * The issuer's JWKS over HTTP, for `jwtVerify`. Unlike jose's remote key set, it stays
 * useful while the issuer is away:
 *
 * - keys past `maxAgeMs` keep serving while a fresh set is fetched in the background, and
 *   keep serving if that fetch fails (an issuer restart must not refuse every new token);
 * - without any keys, a failed fetch is `JwksUnavailable` (the caller answers 503, not a
 *   401 that tells a client to sign in again), and no fetch is tried again for
 *   `retryAfterFailureMs`, so a down issuer is not sent one fetch per request;
 * - an unknown `kid` fetches again at most once per `cooldownMs`, so a flood of forged
 *   tokens cannot make the verifier hammer the issuer.
 */
export function createJwksKeySet(url: URL, options: JwksKeySetOptions): JWTVerifyGetKey {
  let keys: LocalKeySet | undefined;
  let fetchedAt = Number.NEGATIVE_INFINITY;
  let failedAt = Number.NEGATIVE_INFINITY;
  let pending: Promise<LocalKeySet> | undefined;

  const fetchKeys = async (): Promise<LocalKeySet> => {
    try {
      const response = await fetch(url, {
        headers: { accept: 'application/jwk-set+json, application/json' },
        redirect: 'manual',
        signal: AbortSignal.timeout(options.timeoutMs),
      });
      if (response.status !== 200) {
        await response.body?.cancel();
        throw new JwksUnavailable(`the JWKS at ${url.href} answered ${response.status}`);
      }
      // Anything but a key set is refused here (JWKSInvalid), and counts as a failed fetch.
      const fetched = createLocalJWKSet((await response.json()) as JSONWebKeySet);
      keys = fetched;
      fetchedAt = options.now();
      return fetched;
    } catch (error) {
      failedAt = options.now();
      if (error instanceof JwksUnavailable) throw error;
      throw new JwksUnavailable(`the JWKS at ${url.href} could not be fetched`, { cause: error });
    }
  };
  const refresh = (): Promise<LocalKeySet> => {
    pending ??= fetchKeys().finally(() => {
      pending = undefined;
    });
    return pending;
  };
  const failedRecently = () => options.now() - failedAt < options.retryAfterFailureMs;
  /** No fetch running, none failed just now, and the keys at hand older than `age`. */
  const mayFetch = (age: number) =>
    pending === undefined && !failedRecently() && options.now() - fetchedAt >= age;

  return async (header, token) => {
    let current = keys;
    if (!current) {
      if (pending === undefined && failedRecently()) {
        throw new JwksUnavailable(`the JWKS at ${url.href} failed moments ago`);
      }
      current = await refresh();
    } else if (mayFetch(options.maxAgeMs)) {
      // Served with the keys at hand; the fresh set applies from the next token on.
      refresh().catch(() => undefined);
    }
    try {
      return await current(header, token);
    } catch (error) {
      const unknownKid = error instanceof joseErrors.JWKSNoMatchingKey;
      // A fetch already running is waited for; otherwise one per cooldown at most.
      if (!unknownKid || (pending === undefined && !mayFetch(options.cooldownMs))) throw error;
      return (await refresh())(header, token);
    }
  };
}
