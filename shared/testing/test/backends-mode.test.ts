import { describe, expect, it } from 'vitest';
import { backendsModeFrom } from '../src/backends-mode.ts';
import { resolveExternalBackends } from '../src/resolve-external-backends.ts';

describe('STOREKEEPER_BACKENDS', () => {
  it('defaults to embedded', () => {
    expect(backendsModeFrom({})).toBe('embedded');
    expect(backendsModeFrom({ STOREKEEPER_BACKENDS: ' ' })).toBe('embedded');
  });

  it('names the valid values when given another', () => {
    expect(() => backendsModeFrom({ STOREKEEPER_BACKENDS: 'docker' })).toThrow(
      'STOREKEEPER_BACKENDS="docker" is not one of embedded, external, containers',
    );
  });
});

describe('external mode', () => {
  it('names every missing variable and what it must be', async () => {
    await expect(resolveExternalBackends({})).rejects.toThrow(
      /needs PG_ADMIN_URL \(a PostgreSQL URL of a role that may create roles and databases.*\) and AWS_ENDPOINT_URL \(the endpoint of an AWS emulator/,
    );
    await expect(
      resolveExternalBackends({ PG_ADMIN_URL: 'postgresql://localhost/postgres' }),
    ).rejects.toThrow(/^STOREKEEPER_BACKENDS=external needs AWS_ENDPOINT_URL /);
  });
});
