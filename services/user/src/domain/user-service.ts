import { createHash } from 'node:crypto';
import { userErrors } from '../errors.ts';
import { passwordWeakness } from './password-policy.ts';
import { normaliseEmail, type PostalAddress, type User } from './user.ts';
import type { UserStore } from './user-store.ts';

export interface SignUpInput {
  readonly email: string;
  readonly password: string;
  readonly name: string;
  readonly billingAddress: PostalAddress;
}

export interface AccessToken {
  readonly accessToken: string;
  readonly tokenType: 'Bearer';
  readonly expiresIn: number;
}

export interface UserServiceDeps {
  readonly store: UserStore;
  readonly passwords: {
    hash(password: string): Promise<string>;
    verify(password: string, stored: string): Promise<boolean>;
  };
  readonly tokens: { issue(userId: string): Promise<AccessToken> };
  readonly newId: () => string;
  /** A fresh, unguessable verification token (base64url, ≥ 256 bits). */
  readonly newVerificationToken: () => string;
  readonly now: () => Date;
  readonly verificationTtlMs: number;
}

export interface UserService {
  signUp(input: SignUpInput): Promise<User>;
  logIn(email: string, password: string): Promise<AccessToken>;
  verifyEmail(token: string): Promise<void>;
  profile(userId: string): Promise<User>;
}

const WRONG_CREDENTIALS = 'The email or the password is wrong';

export function hashVerificationToken(token: string): Buffer {
  return createHash('sha256').update(token).digest();
}

export function createUserService(deps: UserServiceDeps): UserService {
  // Hashed once, used when the email is unknown so that a wrong email costs the same
  // time as a wrong password and timing does not reveal which accounts exist.
  const decoyHash = deps.passwords.hash('decoy password that matches nothing');

  return {
    async signUp(input) {
      const email = normaliseEmail(input.email);
      const weakness = passwordWeakness(input.password, email);
      if (weakness) {
        throw userErrors.create('WEAK_PASSWORD', `password ${weakness}`, {
          errors: [{ in: 'body', field: 'password', message: weakness }],
        });
      }
      const now = deps.now();
      const user: User = {
        id: deps.newId(),
        email,
        name: input.name.trim(),
        billingAddress: input.billingAddress,
        emailVerified: false,
        createdAt: now,
      };
      const token = deps.newVerificationToken();
      const expiresAt = new Date(now.getTime() + deps.verificationTtlMs);
      const created = await deps.store.create({
        user,
        passwordHash: await deps.passwords.hash(input.password),
        verification: { tokenHash: hashVerificationToken(token), expiresAt },
        events: [
          {
            type: 'user.signed-up',
            data: { userId: user.id, email, name: user.name, billingAddress: user.billingAddress },
          },
          {
            type: 'user.email-verification-requested',
            data: {
              userId: user.id,
              email,
              name: user.name,
              verificationToken: token,
              expiresAt: expiresAt.toISOString(),
            },
          },
        ],
      });
      if (!created) {
        throw userErrors.create('EMAIL_TAKEN', 'An account with this email already exists');
      }
      return user;
    },

    async logIn(email, password) {
      const credentials = await deps.store.findCredentials(normaliseEmail(email));
      const matches = await deps.passwords.verify(
        password,
        credentials?.passwordHash ?? (await decoyHash),
      );
      if (!credentials || !matches) {
        throw userErrors.create('INVALID_CREDENTIALS', WRONG_CREDENTIALS);
      }
      return deps.tokens.issue(credentials.userId);
    },

    async verifyEmail(token) {
      const userId = await deps.store.redeemVerification(
        hashVerificationToken(token),
        deps.now(),
        (id) => [{ type: 'user.email-verified', data: { userId: id } }],
      );
      if (!userId) {
        throw userErrors.create(
          'INVALID_VERIFICATION_TOKEN',
          'The verification token is invalid, used or expired',
          { errors: [{ in: 'body', field: 'token', message: 'is invalid, used or expired' }] },
        );
      }
    },

    async profile(userId) {
      const user = await deps.store.findById(userId);
      if (!user) throw userErrors.create('USER_NOT_FOUND', 'The user does not exist');
      return user;
    },
  };
}
