import { publicRouteServices } from '@storekeeper/contracts';
import { serviceUrlSetting } from '@storekeeper/contracts/manifest';
import { defineConfig, tokenVerificationConfigProperties } from '@storekeeper/platform';
import { type Static, type TString, Type } from 'typebox';

/** Required: whoever runs the gateway (the orchestrator, compose) sets one per service called. */
function serviceUrl(name: string) {
  return Type.String({
    pattern: '^https?://',
    description: `Base URL of the ${name} service (Service Connect name on ECS)`,
  });
}

export const configSchema = defineConfig(
  { port: 8080 },
  {
    // USER_SERVICE_URL, ORDER_SERVICE_URL, …: one per service with a public route.
    ...(Object.fromEntries(
      publicRouteServices.map((name) => [serviceUrlSetting(name), serviceUrl(name)]),
    ) as Record<`${string}_SERVICE_URL`, TString>),
    ...tokenVerificationConfigProperties,
    UPSTREAM_TIMEOUT_MS: Type.Integer({
      minimum: 100,
      maximum: 30_000,
      default: 5_000,
      description: 'Bound for one call to a service behind the gateway',
    }),
    UPSTREAM_BREAKER_VOLUME_THRESHOLD: Type.Integer({
      minimum: 1,
      default: 10,
      description:
        'Attempts at a service within the last 10 s before its circuit breaker may open (at over 50 % failures)',
    }),
    UPSTREAM_BREAKER_RESET_MS: Type.Integer({
      minimum: 100,
      maximum: 300_000,
      default: 10_000,
      description:
        'How long an open circuit breaker fails fast before one trial call; also the Retry-After',
    }),
    OVERVIEW_TIMEOUT_MS: Type.Integer({
      minimum: 100,
      maximum: 30_000,
      default: 2_000,
      description:
        'Bound for GET /api/me/overview: a part not back by then is left out (degraded), the profile not back is 503',
    }),
    STATUS_PROBE_TIMEOUT_MS: Type.Integer({
      minimum: 50,
      maximum: 10_000,
      default: 1_000,
      description: "Bound for each service's readiness probe on GET /api/status",
    }),
    DEV_TRACE_FILE: Type.Optional(
      Type.String({
        minLength: 1,
        description:
          'Development only: the segments file `pnpm start` keeps, which GET /api/dev/traces/… reads (the routes do not exist in production)',
      }),
    ),
    TRUSTED_PROXY_HOPS: Type.Integer({
      minimum: 0,
      maximum: 5,
      default: 0,
      description:
        'Proxies in front of the gateway whose X-Forwarded-For is trusted (1 behind an ALB)',
    }),
    AUTH_RATE_LIMIT_PER_MINUTE: Type.Integer({
      minimum: 1,
      default: 20,
      description:
        'Requests per minute and client address on each sign-up, login and verification route',
    }),
  },
);

/** The URL settings are computed, so their names are stated here for the type. */
export type Config = Static<typeof configSchema> &
  Readonly<Record<`${string}_SERVICE_URL`, string>>;
