import { randomUUID } from 'node:crypto';
import {
  createServiceClient,
  type ServiceClient,
  ServiceUnavailableError,
} from '@storekeeper/platform';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createHttpUserDirectory } from '../../src/adapters/http-user-directory.ts';
import { logger } from '../helper.ts';
import { startUserServiceStub, type UserServiceStub } from '../user-service-stub.ts';

describe('the user directory over HTTP', () => {
  let users: UserServiceStub;
  let client: ServiceClient;
  beforeAll(async () => {
    users = await startUserServiceStub();
    client = createServiceClient({ name: 'user', baseUrl: users.url, logger, timeoutMs: 1_000 });
    return async () => {
      await client.close();
      await users.stop();
    };
  });
  afterEach(() => users.failWith(undefined));

  it('knows whether a user’s email is verified, and that an unknown user is not there', async () => {
    const directory = createHttpUserDirectory(client);
    const verified = users.addUser();
    const unverified = users.addUser({ emailVerified: false });
    expect(await directory.find(verified)).toEqual({ emailVerified: true });
    expect(await directory.find(unverified)).toEqual({ emailVerified: false });
    expect(await directory.find(randomUUID())).toBeUndefined();
  });

  it('reports a failing user service as 503 UPSTREAM_UNAVAILABLE with a Retry-After', async () => {
    users.failWith(500);
    const failure = await createHttpUserDirectory(client)
      .find(users.addUser())
      .catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(ServiceUnavailableError);
    expect(failure).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', status: 503 });
    expect((failure as ServiceUnavailableError).retryAfterSeconds).toBeGreaterThan(0);
  });

  it('treats an answer that is no user as a broken contract, not as “unverified”', async () => {
    users.failWith(400);
    await expect(createHttpUserDirectory(client).find(users.addUser())).rejects.toThrow(
      /answered 400 without a user/,
    );
  });
});
