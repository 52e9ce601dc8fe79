/** What the order service needs to know about a customer before taking an order. */
export interface Customer {
  readonly emailVerified: boolean;
}

/**
 * The user service, as the order domain sees it. `find` resolves undefined for a user
 * that does not exist and throws a ServiceUnavailableError (503 + Retry-After) when the
 * user service cannot answer: the domain then takes no order at all.
 */
export interface UserDirectory {
  find(userId: string): Promise<Customer | undefined>;
}
