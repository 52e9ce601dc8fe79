import { waitFor } from '@storekeeper/testing';
import { type ApiClient, type MailboxMessage, newSignUp, tokenFromEmail } from './api-client.ts';

/**
 * A customer who signed up, followed the link in the verification email (unless
 * `verify: false`) and logged in,
 * with the billing account open: what placing an order needs. All through the public API.
 */
export async function verifiedCustomer(
  api: ApiClient,
  options: { verify?: boolean } = {},
): Promise<{ id: string; email: string; token: string }> {
  const signUp = newSignUp();
  const created = await api.post<{ id: string }>('/api/users', signUp);
  if (created.status !== 201) throw new Error(`sign-up answered ${created.status}`);
  if (options.verify !== false) {
    const [email] = await waitFor(
      async () => {
        const to = encodeURIComponent(signUp.email);
        const found = await api.get<{ messages: MailboxMessage[] }>(`/api/dev/mailbox?to=${to}`);
        return found.body.messages.length > 0 ? found.body.messages : undefined;
      },
      { timeout: 30_000, description: 'the verification email' },
    );
    await api.post('/api/users/verify-email', { token: tokenFromEmail(email as MailboxMessage) });
  }
  const login = await api.post<{ accessToken: string }>('/api/auth/token', {
    email: signUp.email,
    password: signUp.password,
  });
  const token = login.body.accessToken;
  // Up to the visibility timeout (30 s) more: right after a billing task stopped, a long
  // poll it left open on a slow emulator (moto) can take the event, which then comes back.
  await waitFor(async () => (await api.get('/api/billing/account', token)).status === 200, {
    timeout: 60_000,
    description: 'the billing account',
  });
  return { id: created.body.id, email: signUp.email, token };
}
