import { describeWithBackends } from '@storekeeper/testing';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  buildUserTestApp,
  type UserTestApp,
  validSignUp,
  verificationTokenFor,
} from '../helper.ts';

describeWithBackends('user routes', () => {
  let t: UserTestApp;
  beforeAll(async () => {
    t = await buildUserTestApp();
    return () => t.close();
  });

  const signUp = (body: unknown) =>
    t.app.inject({ method: 'POST', url: '/users', payload: body as object });
  const logIn = (email: string, password: string) =>
    t.app.inject({ method: 'POST', url: '/auth/token', payload: { email, password } });

  describe('sign-up', () => {
    it('creates an unverified user and writes both events in the same transaction', async () => {
      const body = validSignUp('Grace.Hopper@Example.com');
      const response = await signUp(body);
      expect(response.statusCode).toBe(201);
      const user = response.json();
      expect(user).toMatchObject({
        email: 'grace.hopper@example.com',
        name: 'Ada Lovelace',
        emailVerified: false,
      });
      expect(user).not.toHaveProperty('password');
      expect(user).not.toHaveProperty('passwordHash');

      const { rows } = await t.pool.query<{
        event_type: string;
        event: { data: Record<string, unknown> };
      }>(`SELECT event_type, event FROM outbox WHERE event->'data'->>'userId' = $1 ORDER BY id`, [
        user.id,
      ]);
      expect(rows.map((r) => r.event_type)).toEqual([
        'user.signed-up',
        'user.email-verification-requested',
      ]);
      expect(rows[0]?.event.data).not.toHaveProperty('verificationToken');
      expect(rows[1]?.event.data.verificationToken).toMatch(/^[\w-]{43}$/);
    });

    it('refuses the same email in any letter case with 409 and writes no event', async () => {
      const body = validSignUp('Dup.User@example.com');
      expect((await signUp(body)).statusCode).toBe(201);
      const before = await t.pool.query('SELECT count(*)::int AS n FROM outbox');
      const again = await signUp({ ...body, email: 'DUP.USER@EXAMPLE.COM' });
      expect(again.statusCode).toBe(409);
      expect(again.json()).toMatchObject({
        code: 'EMAIL_TAKEN',
        status: 409,
        title: 'Email already registered',
      });
      const after = await t.pool.query('SELECT count(*)::int AS n FROM outbox');
      expect(after.rows[0].n).toBe(before.rows[0].n);
    });

    it.each([
      ['a weak password', { password: 'password1234' }, 'password'],
      ['a short password', { password: 'short' }, 'password'],
      ['a bad email', { email: 'not-an-email' }, 'email'],
      ['a missing name', { name: undefined }, 'name'],
      ['a name of white space only', { name: ' \u000b\t ' }, 'name'],
      [
        'a blank address line',
        { billingAddress: { line1: '  ', city: 'b', postalCode: 'c', country: 'GB' } },
        'billingAddress.line1',
      ],
      ['an extra field', { isAdmin: true }, 'isAdmin'],
      [
        'a bad country',
        { billingAddress: { line1: 'a', city: 'b', postalCode: 'c', country: 'England' } },
        'billingAddress.country',
      ],
    ])('answers 400 naming the field for %s', async (_label, change, field) => {
      const response = await signUp({ ...validSignUp(), ...change });
      expect(response.statusCode).toBe(400);
      expect(response.headers['content-type']).toMatch(/application\/problem\+json/);
      expect(response.json().errors.map((e: { field: string }) => e.field)).toContain(field);
    });
  });

  describe('login', () => {
    it('issues a bearer token for the right password, whatever the email case', async () => {
      const body = validSignUp('login.user@example.com');
      await signUp(body);
      const response = await logIn('LOGIN.USER@example.com', body.password);
      expect(response.statusCode).toBe(200);
      expect(response.headers['cache-control']).toBe('no-store');
      expect(response.json()).toMatchObject({ tokenType: 'Bearer', expiresIn: 900 });
    });

    it('answers the same 401 for a wrong password and an unknown email', async () => {
      const body = validSignUp('wrong.password@example.com');
      await signUp(body);
      const wrongPassword = await logIn(body.email, 'another long password');
      const unknownEmail = await logIn('nobody@example.com', body.password);
      for (const response of [wrongPassword, unknownEmail]) {
        expect(response.statusCode).toBe(401);
        expect(response.json()).toMatchObject({
          code: 'INVALID_CREDENTIALS',
          detail: 'The email or the password is wrong',
        });
      }
    });
  });

  describe('email verification', () => {
    it('verifies once with the emailed token; a reused token is refused', async () => {
      const user = (await signUp(validSignUp())).json();
      const token = await verificationTokenFor(t.pool, user.id);
      const first = await t.app.inject({
        method: 'POST',
        url: '/users/verify-email',
        payload: { token },
      });
      expect(first.statusCode).toBe(200);
      expect(first.json()).toEqual({ emailVerified: true });
      const reused = await t.app.inject({
        method: 'POST',
        url: '/users/verify-email',
        payload: { token },
      });
      expect(reused.statusCode).toBe(400);
      expect(reused.json()).toMatchObject({ code: 'INVALID_VERIFICATION_TOKEN' });
      expect(reused.json().errors).toEqual([
        { in: 'body', field: 'token', message: 'is invalid, used or expired' },
      ]);

      const events = await t.pool.query(
        `SELECT 1 FROM outbox WHERE event_type = 'user.email-verified' AND event->'data'->>'userId' = $1`,
        [user.id],
      );
      expect(events.rowCount).toBe(1);
    });

    it('refuses an expired token and an unknown one', async () => {
      const user = (await signUp(validSignUp())).json();
      const token = await verificationTokenFor(t.pool, user.id);
      const realNow = t.clock.now;
      t.clock.now = new Date(realNow.getTime() + 25 * 3_600_000);
      try {
        const expired = await t.app.inject({
          method: 'POST',
          url: '/users/verify-email',
          payload: { token },
        });
        expect(expired.statusCode).toBe(400);
      } finally {
        t.clock.now = realNow;
      }
      const unknown = await t.app.inject({
        method: 'POST',
        url: '/users/verify-email',
        payload: { token: 'x'.repeat(43) },
      });
      expect(unknown.statusCode).toBe(400);
    });
  });

  describe('profile', () => {
    it('shows the caller its own profile, verified after verification', async () => {
      const body = validSignUp();
      const user = (await signUp(body)).json();
      await t.app.inject({
        method: 'POST',
        url: '/users/verify-email',
        payload: { token: await verificationTokenFor(t.pool, user.id) },
      });
      const { accessToken } = (await logIn(body.email, body.password)).json();
      const me = await t.app.inject({
        url: '/users/me',
        headers: { authorization: `Bearer ${accessToken}` },
      });
      expect(me.statusCode).toBe(200);
      expect(me.json()).toMatchObject({
        id: user.id,
        emailVerified: true,
        billingAddress: body.billingAddress,
      });
      // Personal data: no browser or proxy may keep it.
      expect(me.headers['cache-control']).toBe('no-store');
    });

    it('answers 401 without a token', async () => {
      expect((await t.app.inject({ url: '/users/me' })).statusCode).toBe(401);
    });

    it('serves its public keys as a JWKS', async () => {
      const response = await t.app.inject({ url: '/.well-known/jwks.json' });
      expect(response.json().keys[0]).toMatchObject({
        kty: 'EC',
        alg: 'ES256',
        kid: expect.any(String),
      });
      expect(response.json().keys[0]).not.toHaveProperty('d');
      // Public keys may be cached, unlike everything else the service answers (no-store).
      expect(response.headers['cache-control']).toBe('public, max-age=300');
      expect(response.headers['x-content-type-options']).toBe('nosniff');
    });

    it('serves a user to other services on the internal route, 404 for an unknown id', async () => {
      const user = (await signUp(validSignUp())).json();
      expect((await t.app.inject({ url: `/internal/users/${user.id}` })).json()).toMatchObject({
        id: user.id,
      });
      const missing = await t.app.inject({
        url: '/internal/users/00000000-0000-4000-8000-000000000000',
      });
      expect(missing.statusCode).toBe(404);
    });
  });

  it('never logs a password, a token or the signing key', async () => {
    const body = validSignUp();
    const user = (await signUp(body)).json();
    const { accessToken } = (await logIn(body.email, body.password)).json();
    await logIn(body.email, 'wrong but long password');
    const token = await verificationTokenFor(t.pool, user.id);
    await t.app.inject({ method: 'POST', url: '/users/verify-email', payload: { token } });
    await t.app.inject({ url: '/users/me', headers: { authorization: `Bearer ${accessToken}` } });
    const text = t.logs.lines.join('\n');
    expect(text.length).toBeGreaterThan(0);
    for (const secret of [
      body.password,
      'wrong but long password',
      accessToken,
      token,
      'BEGIN PRIVATE KEY',
    ]) {
      expect(text).not.toContain(secret);
    }
  });
});
