import type { SSMClient } from '@aws-sdk/client-ssm';
import { awsClientConfig } from './aws-clients.ts';

export type SsmParameters = Record<string, { value: string; secure: boolean }>;

/**
 * Every parameter under `path` (recursively, SecureStrings decrypted), keyed by the
 * environment variable it overlays: `/storekeeper/dev/user/JWT_PRIVATE_KEY` under
 * `/storekeeper/dev/user` becomes `JWT_PRIVATE_KEY`.
 */
export async function loadSsmParameters(
  path: string,
  region: string,
  injected?: SSMClient,
): Promise<SsmParameters> {
  // Loaded on use: the SDK client is heavy, and only a service with SSM_PARAMETER_PATH set
  // needs it (this module is also exported from the kit's index, which every service loads).
  const { paginateGetParametersByPath, SSMClient: Client } = await import('@aws-sdk/client-ssm');
  const client = injected ?? new Client(awsClientConfig({ region }));
  const prefix = path.endsWith('/') ? path : `${path}/`;
  const parameters: SsmParameters = {};
  try {
    const pages = paginateGetParametersByPath(
      { client },
      { Path: path, Recursive: true, WithDecryption: true },
    );
    for await (const page of pages) {
      for (const parameter of page.Parameters ?? []) {
        if (!parameter.Name || parameter.Value === undefined) continue;
        const name = parameter.Name.slice(prefix.length).replaceAll('/', '_').toUpperCase();
        parameters[name] = { value: parameter.Value, secure: parameter.Type === 'SecureString' };
      }
    }
  } catch (error) {
    // The SDK's message names the path and the reason, never a parameter value.
    throw new Error(`Could not read SSM parameters under ${path}: ${(error as Error).message}`, {
      cause: error,
    });
  } finally {
    if (!injected) client.destroy();
  }
  return parameters;
}
