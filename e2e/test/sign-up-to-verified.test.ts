import type { CloudEvent } from '@storekeeper/contracts';
import { describeWithBackends, requireBackends, waitFor } from '@storekeeper/testing';
import { beforeAll, expect, it } from 'vitest';
import {
  type ApiClient,
  createApiClient,
  type MailboxMessage,
  newSignUp,
  tokenFromEmail,
} from '../src/api-client.ts';
import { publisherFor, query } from '../src/backdoor.ts';
import { type SystemUnderTest, startSystem } from '../src/start-system.ts';

describeWithBackends('sign-up to verified email, through the gateway', () => {
  let system: SystemUnderTest;
  let api: ApiClient;

  beforeAll(async () => {
    system = await startSystem({ connection: requireBackends().connection });
    api = createApiClient(system.gatewayUrl);
    return () => system.stop();
  });

  const mailbox = async (to: string) =>
    (await api.get<{ messages: MailboxMessage[] }>(`/api/dev/mailbox?to=${encodeURIComponent(to)}`))
      .body.messages;

  it('signs up, emails a link, verifies, logs in, shows the profile and the billing account', async () => {
    const signUp = newSignUp();
    const created = await api.post('/api/users', signUp);
    expect(created.status, diagnose(system, created.body)).toBe(201);
    expect(created.body).toMatchObject({ email: signUp.email, emailVerified: false });

    const [email] = await waitFor(
      async () => {
        const messages = await mailbox(signUp.email);
        return messages.length > 0 ? messages : undefined;
      },
      { timeout: 30_000, description: 'the verification email in the dev mailbox' },
    );
    expect(email).toMatchObject({
      kind: 'email-verification',
      subject: 'Verify your email address',
    });

    const verified = await api.post('/api/users/verify-email', {
      token: tokenFromEmail(email as MailboxMessage),
    });
    expect(verified).toMatchObject({ status: 200, body: { emailVerified: true } });

    const login = await api.post<{ accessToken: string; tokenType: string }>('/api/auth/token', {
      email: signUp.email.toUpperCase(),
      password: signUp.password,
    });
    expect(login.status).toBe(200);
    expect(login.body.tokenType).toBe('Bearer');
    const token = login.body.accessToken;

    const me = await api.get('/api/users/me', token);
    expect(me).toMatchObject({
      status: 200,
      body: { id: created.body.id, emailVerified: true, name: 'Ada Lovelace' },
    });

    const account = await waitFor(
      async () => {
        const response = await api.get('/api/billing/account', token);
        return response.status === 200 ? response.body : undefined;
      },
      { timeout: 30_000, description: 'the billing account opened from user.signed-up' },
    );
    expect(account).toMatchObject({
      userId: created.body.id,
      billingAddress: signUp.billingAddress,
      creditLimitCents: 50_000,
      availableCents: 50_000,
      currency: 'EUR',
    });
  });

  it('sends exactly one verification email per sign-up, even when the event is delivered twice', async () => {
    const signUp = newSignUp();
    const created = await api.post<{ id: string }>('/api/users', signUp);
    await waitFor(async () => (await mailbox(signUp.email)).length === 1, {
      timeout: 30_000,
      description: 'the first verification email',
    });

    // Deliver the same event again, as SNS may: the exact envelope the relay published.
    const [row] = await query<{ event: CloudEvent }>(
      system.database('user').url,
      `SELECT event FROM outbox WHERE event_type = 'user.email-verification-requested' AND event->'data'->>'userId' = $1`,
      [created.body.id],
    );
    if (!row) throw new Error('no verification event in the user outbox');
    await publisherFor(system, 'user').publish(row.event);
    await waitFor(
      () =>
        system
          .service('email')
          .lines.some((line) => line.includes(row.event.id) && line.includes('handled before')),
      {
        timeout: 30_000,
        description: 'the email service to receive the event a second time and skip it',
      },
    );
    expect(await mailbox(signUp.email)).toHaveLength(1);
  });

  it('answers 409 to a second sign-up with the same email in any letter case', async () => {
    const signUp = newSignUp();
    expect((await api.post('/api/users', signUp)).status).toBe(201);
    const again = await api.post('/api/users', {
      ...newSignUp(),
      email: signUp.email.toUpperCase(),
    });
    expect(again.status).toBe(409);
    expect(again.headers.get('content-type')).toMatch(/application\/problem\+json/);
    expect(again.body).toMatchObject({ code: 'EMAIL_TAKEN' });
  });

  it.each([
    ['a weak password', { password: 'password1234' }, 'password'],
    ['a bad email', { email: 'ada-at-example.com' }, 'email'],
    ['a missing field', { name: undefined }, 'name'],
    ['an extra field', { role: 'admin' }, 'role'],
  ])('answers 400 problem+json naming the field for %s', async (_label, change, field) => {
    const response = await api.post<{ errors: { field: string }[] }>(
      '/api/users',
      newSignUp(change),
    );
    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toMatch(/application\/problem\+json/);
    expect(response.body.errors.map((e) => e.field)).toContain(field);
  });

  it('answers a wrong password with a 401 that does not say which part was wrong', async () => {
    const signUp = newSignUp();
    await api.post('/api/users', signUp);
    const wrongPassword = await api.post('/api/auth/token', {
      email: signUp.email,
      password: 'not the password at all',
    });
    const wrongEmail = await api.post('/api/auth/token', {
      email: 'nobody@example.com',
      password: signUp.password,
    });
    expect(wrongPassword.status).toBe(401);
    expect(wrongPassword.body).toEqual({ ...wrongEmail.body, traceId: wrongPassword.body.traceId });
  });

  it('refuses a reused verification token with 400', async () => {
    const signUp = newSignUp();
    await api.post('/api/users', signUp);
    const [email] = await waitFor(
      async () => {
        const messages = await mailbox(signUp.email);
        return messages.length > 0 ? messages : undefined;
      },
      { timeout: 30_000, description: 'the verification email' },
    );
    const token = tokenFromEmail(email as MailboxMessage);
    expect((await api.post('/api/users/verify-email', { token })).status).toBe(200);
    const reused = await api.post('/api/users/verify-email', { token });
    expect(reused.status).toBe(400);
    expect(reused.body).toMatchObject({ code: 'INVALID_VERIFICATION_TOKEN' });
  });
});

/** What to show when the system answered unexpectedly: the answer and the latest log lines. */
function diagnose(system: SystemUnderTest, body: unknown): string {
  const tail = (name: 'gateway' | 'user') => system.service(name).lines.slice(-15).join('\n');
  return `answer: ${JSON.stringify(body)}\n--- gateway\n${tail('gateway')}\n--- user\n${tail('user')}`;
}
