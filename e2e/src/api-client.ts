/** A thin client of the public API, as a user of Storekeeper would call it. */
export interface ApiResponse<T = Record<string, unknown>> {
  readonly status: number;
  readonly headers: Headers;
  readonly body: T;
}

export function createApiClient(baseUrl: string) {
  async function call<T>(
    method: string,
    path: string,
    options: { body?: unknown; token?: string; headers?: Record<string, string> } = {},
  ) {
    const response = await fetch(`${baseUrl}${path}`, {
      method,
      headers: {
        ...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
        ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
        ...options.headers,
      },
      ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
    });
    const text = await response.text();
    return {
      status: response.status,
      headers: response.headers,
      body: (text ? JSON.parse(text) : undefined) as T,
    };
  }
  return {
    get: <T = Record<string, unknown>>(path: string, token?: string) =>
      call<T>('GET', path, token ? { token } : {}),
    post: <T = Record<string, unknown>>(path: string, body: unknown, token?: string) =>
      call<T>('POST', path, { body, ...(token ? { token } : {}) }),
    /** POST with extra headers, e.g. `Idempotency-Key`. */
    postWith: <T = Record<string, unknown>>(
      path: string,
      body: unknown,
      options: { token?: string; headers?: Record<string, string> },
    ) => call<T>('POST', path, { body, ...options }),
  };
}

export type ApiClient = ReturnType<typeof createApiClient>;

export function newSignUp(overrides: Record<string, unknown> = {}) {
  const tag = Math.random().toString(36).slice(2, 10);
  return {
    email: `ada.${tag}@example.com`,
    password: `purple monkey dishwasher ${tag}`,
    name: 'Ada Lovelace',
    billingAddress: {
      line1: '12 St James Sq',
      city: 'London',
      postalCode: 'SW1Y 4JH',
      country: 'GB',
    },
    ...overrides,
  };
}

export interface MailboxMessage {
  readonly subject: string;
  readonly text: string;
  readonly kind: string;
}

/** The verification token, read from the email the way a person would follow the link. */
export function tokenFromEmail(message: MailboxMessage): string {
  const match = /verify-email\?token=([\w-]+)/.exec(message.text);
  if (!match?.[1]) throw new Error(`no verification link in: ${message.text}`);
  return match[1];
}
