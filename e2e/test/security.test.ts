import { generateKeyPairSync } from 'node:crypto';
import { describeWithBackends, requireBackends, waitFor } from '@storekeeper/testing';
import { importPKCS8, SignJWT } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  type ApiClient,
  createApiClient,
  type MailboxMessage,
  newSignUp,
  tokenFromEmail,
} from '../src/api-client.ts';
import { type SystemUnderTest, startSystem } from '../src/start-system.ts';

const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');

describeWithBackends(
  'authentication and isolation, through the gateway and on every service',
  () => {
    let system: SystemUnderTest;
    let api: ApiClient;
    const users: { id: string; email: string; password: string; token: string }[] = [];
    const secrets: string[] = [];

    async function verifiedUser() {
      const signUp = newSignUp();
      secrets.push(signUp.password);
      const created = await api.post<{ id: string }>('/api/users', signUp);
      const [email] = await waitFor(
        async () => {
          const { body } = await api.get<{ messages: MailboxMessage[] }>(
            `/api/dev/mailbox?to=${encodeURIComponent(signUp.email)}`,
          );
          return body.messages.length > 0 ? body.messages : undefined;
        },
        { timeout: 30_000, description: 'verification email' },
      );
      const verificationToken = tokenFromEmail(email as MailboxMessage);
      secrets.push(verificationToken);
      await api.post('/api/users/verify-email', { token: verificationToken });
      const { body } = await api.post<{ accessToken: string }>('/api/auth/token', {
        email: signUp.email,
        password: signUp.password,
      });
      secrets.push(body.accessToken);
      await waitFor(
        async () => (await api.get('/api/billing/account', body.accessToken)).status === 200,
        {
          timeout: 30_000,
          description: 'billing account opened',
        },
      );
      return {
        id: created.body.id,
        email: signUp.email,
        password: signUp.password,
        token: body.accessToken,
      };
    }

    beforeAll(async () => {
      system = await startSystem({ connection: requireBackends().connection });
      api = createApiClient(system.gatewayUrl);
      users.push(await verifiedUser(), await verifiedUser());
      return () => system.stop();
    });

    async function forge(
      claims: { sub?: string; iss?: string; aud?: string; exp?: number },
      key?: string,
    ) {
      const privateKey = await importPKCS8(key ?? system.signingKeyPem, 'ES256');
      const now = Math.floor(Date.now() / 1000);
      const jwks = (await (
        await fetch(`${system.service('user').url}/.well-known/jwks.json`)
      ).json()) as {
        keys: { kid: string }[];
      };
      return new SignJWT({})
        .setProtectedHeader({ alg: 'ES256', kid: jwks.keys[0]?.kid ?? '' })
        .setSubject(claims.sub ?? users[0]?.id ?? '')
        .setIssuer(claims.iss ?? system.config.issuer)
        .setAudience(claims.aud ?? system.config.audience)
        .setIssuedAt(now - 3_600)
        .setExpirationTime(claims.exp ?? now + 300)
        .sign(privateKey);
    }

    const badTokens: [string, () => Promise<string | undefined>][] = [
      ['missing', async () => undefined],
      ['expired', () => forge({ exp: Math.floor(Date.now() / 1000) - 600 })],
      [
        'tampered',
        async () => {
          const [header, , signature] = (users[0]?.token ?? '').split('.');
          const now = Math.floor(Date.now() / 1000);
          return `${header}.${b64({ sub: users[1]?.id, iss: system.config.issuer, aud: system.config.audience, iat: now, exp: now + 300 })}.${signature}`;
        },
      ],
      [
        'signed by a foreign key',
        () =>
          forge(
            {},
            generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey.export({
              type: 'pkcs8',
              format: 'pem',
            }) as string,
          ),
      ],
      [
        'alg none',
        async () => {
          const now = Math.floor(Date.now() / 1000);
          return `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ sub: users[0]?.id, iss: system.config.issuer, aud: system.config.audience, iat: now, exp: now + 300 })}.`;
        },
      ],
      ['of the wrong issuer', () => forge({ iss: 'https://evil.example' })],
      ['for the wrong audience', () => forge({ aud: 'another-api' })],
    ];

    describe.each(badTokens)('a token that is %s', (_label, make) => {
      it('gets 401 on every protected route of the gateway', async () => {
        const token = await make();
        for (const path of ['/api/users/me', '/api/billing/account']) {
          const response = await api.get(path, token);
          expect(response.status, path).toBe(401);
          expect(response.headers.get('content-type'), path).toMatch(/application\/problem\+json/);
        }
      });

      it('gets 401 from each service directly, too', async () => {
        const token = await make();
        const direct = [
          [system.service('user').url, '/users/me'],
          [system.service('billing').url, '/billing/account'],
        ] as const;
        for (const [base, path] of direct) {
          const response = await createApiClient(base).get(path, token);
          expect(response.status, `${base}${path}`).toBe(401);
        }
      });
    });

    it('shows each user only their own profile and billing account', async () => {
      for (const user of users) {
        expect((await api.get('/api/users/me', user.token)).body).toMatchObject({
          id: user.id,
          email: user.email,
        });
        expect((await api.get('/api/billing/account', user.token)).body).toMatchObject({
          userId: user.id,
        });
      }
    });

    it('never exposes internal routes through the gateway', async () => {
      for (const path of [
        `/internal/users/${users[1]?.id}`,
        `/internal/billing/accounts/${users[1]?.id}`,
      ]) {
        expect((await api.get(path, users[0]?.token)).status).toBe(404);
      }
    });

    // Last in this suite: it stops the services, so that every line they buffered is
    // written (ADR 51) and read here too.
    it('writes no password, token or private key in any log line of any service', async () => {
      for (const name of Object.keys(system.services)) await system.stopService(name);
      const logs = system.logs();
      expect(logs.length).toBeGreaterThan(1_000);
      for (const secret of [
        ...secrets,
        'BEGIN PRIVATE KEY',
        system.signingKeyPem.split('\n')[1] ?? 'x',
      ]) {
        expect(
          logs.includes(secret),
          `a secret of ${secret.length} characters is in the logs`,
        ).toBe(false);
      }
    });
  },
);
