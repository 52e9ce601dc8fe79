import { type Static, Type } from 'typebox';
import { EmailAddress, PostalAddress, Text } from '../events/common-schemas.ts';

/**
 * The user API as clients see it (through the gateway) and as the user service serves
 * it: one schema, so the two cannot disagree. Requests reject unknown fields.
 */

const strict = { additionalProperties: false } as const;

export const BillingAddressInput = Type.Object(
  { ...PostalAddress.properties },
  {
    ...strict,
    description: 'Billing address, as entered at sign-up',
  },
);

export const SignUpRequest = Type.Object(
  {
    email: EmailAddress,
    password: Type.String({
      minLength: 12,
      maxLength: 128,
      description: 'At least 12 characters; not a common password; not containing the email',
    }),
    name: Text({ maxLength: 200 }),
    billingAddress: BillingAddressInput,
  },
  { ...strict, title: 'SignUpRequest' },
);
export type SignUpRequest = Static<typeof SignUpRequest>;

export const UserProfile = Type.Object(
  {
    id: Type.String({ format: 'uuid' }),
    email: EmailAddress,
    name: Type.String(),
    emailVerified: Type.Boolean(),
    billingAddress: PostalAddress,
    createdAt: Type.String({ format: 'date-time' }),
  },
  { title: 'UserProfile' },
);
export type UserProfile = Static<typeof UserProfile>;

export const TokenRequest = Type.Object(
  {
    email: EmailAddress,
    password: Type.String({ minLength: 1, maxLength: 128 }),
  },
  { ...strict, title: 'TokenRequest' },
);
export type TokenRequest = Static<typeof TokenRequest>;

export const TokenResponse = Type.Object(
  {
    accessToken: Type.String({ description: 'ES256 JWT; send as `Authorization: Bearer …`' }),
    tokenType: Type.Literal('Bearer'),
    expiresIn: Type.Integer({ minimum: 1, description: 'Seconds until the token expires' }),
  },
  { title: 'TokenResponse' },
);

export const VerifyEmailRequest = Type.Object(
  {
    token: Type.String({
      minLength: 16,
      maxLength: 256,
      description: 'The token from the verification email',
    }),
  },
  { ...strict, title: 'VerifyEmailRequest' },
);

export const VerifyEmailResponse = Type.Object(
  { emailVerified: Type.Literal(true) },
  { title: 'VerifyEmailResponse' },
);

export const Jwks = Type.Object(
  { keys: Type.Array(Type.Record(Type.String(), Type.Unknown())) },
  { title: 'Jwks', description: 'RFC 7517 JSON Web Key Set' },
);

/**
 * The error codes of the user API beyond the kit's (INVALID_INPUT, INVALID_TOKEN, …), with
 * the status and problem title of each: the user service throws them
 * (`defineErrors(userApiErrors)`), the gateway documents them on the routes it forwards.
 */
export const userApiErrors = {
  WEAK_PASSWORD: { status: 400, title: 'Password too weak' },
  INVALID_VERIFICATION_TOKEN: { status: 400, title: 'Verification token invalid, used or expired' },
  INVALID_CREDENTIALS: { status: 401, title: 'Wrong email or password' },
  USER_NOT_FOUND: { status: 404, title: 'User not found' },
  EMAIL_TAKEN: { status: 409, title: 'Email already registered' },
} as const;
