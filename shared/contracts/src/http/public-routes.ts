import { type TSchema, Type } from 'typebox';
import type { ServiceName } from '../services.ts';
import { BillingAccount, billingApiErrors } from './billing-api.ts';
import { Mailbox, MailboxQuery } from './email-api.ts';
import {
  Order,
  OrderList,
  OrderListQuery,
  orderApiErrors,
  PlaceOrderHeaders,
  PlaceOrderRequest,
  ProductList,
} from './order-api.ts';
import {
  SignUpRequest,
  TokenRequest,
  TokenResponse,
  UserProfile,
  userApiErrors,
  VerifyEmailRequest,
  VerifyEmailResponse,
} from './user-api.ts';
// pnpm new-service: imports

/**
 * The error codes of the services' public APIs, as their contracts declare them: the
 * services answer with them and the gateway documents them on the routes it forwards.
 */
export const publicApiErrors = {
  ...userApiErrors,
  ...billingApiErrors,
  ...orderApiErrors,
  // pnpm new-service: errors
} as const;
export type PublicApiErrorCode = keyof typeof publicApiErrors;

/**
 * One public route that a service answers, forwarded by the gateway. The gateway checks
 * what is declared here (token, rate limit, the request schemas the service uses too) and
 * then forwards: the client's body bytes and query string as they came, the request id,
 * the token and `passHeaders`; the service's answer goes back as it was sent. The gateway
 * calls every service named here, and no other service has a public route.
 */
export interface PublicRoute {
  /** Method and public path (Fastify syntax, `:name` for a parameter); always under /api. */
  readonly route: `${'GET' | 'POST'} /api/${string}`;
  /** The service and its path; `:name` there takes the public parameter of that name. */
  readonly to: { readonly service: ServiceName; readonly path: string };
  /** Default none. */
  readonly auth?: 'bearer' | 'none';
  /** Under the per-client limit of the sign-up, login and verification routes. */
  readonly rateLimited?: boolean;
  /** Registered only outside production: in production the path does not exist (404). */
  readonly devOnly?: boolean;
  readonly summary: string;
  readonly description?: string;
  readonly tags: readonly string[];
  readonly headers?: TSchema;
  /** A declared query string is validated, then forwarded as the client wrote it. */
  readonly querystring?: TSchema;
  readonly params?: TSchema;
  readonly body?: TSchema;
  /** The success answers, by status. */
  readonly ok: Readonly<Record<number, TSchema>>;
  /**
   * The service's own error codes. The gateway's are added from the rest of the entry:
   * invalid input when something is validated, the token's, the rate limit's, and
   * UPSTREAM_UNAVAILABLE and OVERLOADED everywhere.
   */
  readonly errors?: readonly PublicApiErrorCode[];
  /** Request headers the service needs beyond the request id and the token. */
  readonly passHeaders?: readonly string[];
}

/**
 * The public API the services answer (DESIGN §3), in the contracts because it is one:
 * between clients, the gateway and each service. Nothing under /internal is ever here.
 */
export const publicRoutes = [
  {
    route: 'POST /api/users',
    to: { service: 'user', path: '/users' },
    summary: 'Sign up; a verification email is sent',
    tags: ['users'],
    rateLimited: true,
    body: SignUpRequest,
    ok: { 201: UserProfile },
    errors: ['WEAK_PASSWORD', 'EMAIL_TAKEN'],
  },
  {
    route: 'POST /api/auth/token',
    to: { service: 'user', path: '/auth/token' },
    summary: 'Log in: exchange email and password for an access token',
    tags: ['auth'],
    rateLimited: true,
    body: TokenRequest,
    ok: { 200: TokenResponse },
    errors: ['INVALID_CREDENTIALS'],
  },
  {
    route: 'POST /api/users/verify-email',
    to: { service: 'user', path: '/users/verify-email' },
    summary: 'Verify an email address with the token from the verification email',
    tags: ['users'],
    rateLimited: true,
    body: VerifyEmailRequest,
    ok: { 200: VerifyEmailResponse },
    errors: ['INVALID_VERIFICATION_TOKEN'],
  },
  {
    route: 'GET /api/users/me',
    to: { service: 'user', path: '/users/me' },
    summary: 'The caller’s own profile',
    tags: ['users'],
    auth: 'bearer',
    ok: { 200: UserProfile },
    errors: ['USER_NOT_FOUND'],
  },
  {
    route: 'GET /api/products',
    to: { service: 'order', path: '/products' },
    summary: 'The product catalogue',
    tags: ['orders'],
    ok: { 200: ProductList },
  },
  {
    route: 'POST /api/orders',
    to: { service: 'order', path: '/orders' },
    summary: 'Place an order; it is PENDING until billing has charged it',
    description:
      'Requires `Idempotency-Key`: the same key with the same body returns the first response, with another body 422; while the first is in flight, 409.',
    tags: ['orders'],
    auth: 'bearer',
    headers: PlaceOrderHeaders,
    body: PlaceOrderRequest,
    passHeaders: ['idempotency-key'],
    ok: { 202: Order },
    errors: [
      'EMAIL_NOT_VERIFIED',
      'IDEMPOTENCY_KEY_IN_FLIGHT',
      'UNKNOWN_SKU',
      'IDEMPOTENCY_KEY_REUSED',
    ],
  },
  {
    route: 'GET /api/orders',
    to: { service: 'order', path: '/orders' },
    summary: 'The caller’s orders, newest first',
    tags: ['orders'],
    auth: 'bearer',
    querystring: OrderListQuery,
    ok: { 200: OrderList },
  },
  {
    route: 'GET /api/orders/:orderId',
    to: { service: 'order', path: '/orders/:orderId' },
    summary: 'One of the caller’s orders, with its history',
    tags: ['orders'],
    auth: 'bearer',
    params: Type.Object({ orderId: Type.String({ format: 'uuid' }) }),
    ok: { 200: Order },
    errors: ['ORDER_NOT_FOUND'],
  },
  {
    route: 'GET /api/billing/account',
    to: { service: 'billing', path: '/billing/account' },
    summary:
      'The caller’s billing account: address, credit limit, available credit, recent charges',
    tags: ['billing'],
    auth: 'bearer',
    ok: { 200: BillingAccount },
    errors: ['BILLING_ACCOUNT_NOT_FOUND'],
  },
  {
    route: 'GET /api/dev/mailbox',
    to: { service: 'email', path: '/dev/mailbox' },
    summary: 'Emails the system sent to an address (development only)',
    tags: ['development'],
    devOnly: true,
    querystring: MailboxQuery,
    ok: { 200: Mailbox },
  },
  // pnpm new-service: routes
] as const satisfies readonly PublicRoute[];

/** The services the gateway forwards to: every one with a public route. */
export type PublicRouteService = (typeof publicRoutes)[number]['to']['service'];

/** Those services, each once, in table order: the gateway's clients, `calls` and URL settings. */
export const publicRouteServices: readonly PublicRouteService[] = [
  ...new Set(publicRoutes.map((entry) => entry.to.service)),
];
