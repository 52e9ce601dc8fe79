import { kitErrors, type ServiceClient } from '@storekeeper/platform';
import type { UserDirectory } from '../domain/user-directory.ts';

/**
 * The user service's internal route `GET /internal/users/:userId`, through the kit's
 * client (timeouts, circuit breaker, one retry: the call is idempotent). The client
 * already turns no answer or an open breaker into 503 UPSTREAM_UNAVAILABLE with a
 * Retry-After; a 5xx answer is made the same here, since it is just as little of a yes.
 */
export function createHttpUserDirectory(users: ServiceClient): UserDirectory {
  return {
    async find(userId) {
      const response = await users.request({
        method: 'GET',
        path: `/internal/users/${encodeURIComponent(userId)}`,
      });
      if (response.status === 404) return undefined;
      if (response.status >= 500) {
        throw kitErrors.create(
          'UPSTREAM_UNAVAILABLE',
          `The user service is unavailable: it answered ${response.status}`,
        );
      }
      const emailVerified = (response.body as { emailVerified?: unknown } | undefined)
        ?.emailVerified;
      if (response.status !== 200 || typeof emailVerified !== 'boolean') {
        // Neither a user nor a known failure: a contract broken between the two services.
        throw new Error(`the user service answered ${response.status} without a user`);
      }
      return { emailVerified };
    },
  };
}
