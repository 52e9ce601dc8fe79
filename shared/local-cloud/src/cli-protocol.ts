import type { BackendConnection } from './backend-connection.ts';
import type { BackendName } from './ports.ts';

/** What the CLI sends over IPC once everything is up (see cli.ts). */
export interface LocalCloudReadyMessage {
  readonly type: 'local-cloud:ready';
  readonly connection: BackendConnection;
  readonly ports: Readonly<Record<BackendName, number>>;
  readonly timings: Readonly<Record<string, number>>;
  readonly dataDir: string;
}

export function isLocalCloudReadyMessage(message: unknown): message is LocalCloudReadyMessage {
  return (
    typeof message === 'object' &&
    message !== null &&
    (message as { type?: unknown }).type === 'local-cloud:ready'
  );
}

/** The CLI's file, for spawning it (with `--conditions=@storekeeper/source` in development). */
export const localCloudCliPath = new URL(
  import.meta.url.endsWith('.ts') ? './cli.ts' : './cli.js',
  import.meta.url,
);
