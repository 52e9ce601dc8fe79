import { type ChildProcess, fork } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { isLocalCloudReadyMessage, type LocalCloudReadyMessage } from '../src/cli-protocol.ts';
import { isListening } from './port-probe.ts';

const cli = fileURLToPath(new URL('../src/cli.ts', import.meta.url));

function startCli(): { child: ChildProcess; output: () => string } {
  const child = fork(cli, ['--ephemeral'], {
    execArgv: ['--conditions=@storekeeper/source'],
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  let output = '';
  child.stdout?.on('data', (chunk) => {
    output += chunk;
  });
  child.stderr?.on('data', (chunk) => {
    output += chunk;
  });
  return { child, output: () => output };
}

function ready(child: ChildProcess): Promise<LocalCloudReadyMessage> {
  return new Promise((resolve, reject) => {
    child.on('message', (message) => {
      if (isLocalCloudReadyMessage(message)) resolve(message);
    });
    child.once('exit', (code) => reject(new Error(`local-cloud exited early with ${code}`)));
  });
}

describe('the local-cloud CLI', () => {
  it('prints the env, and stops everything on SIGTERM with exit code 0', async () => {
    const { child, output } = startCli();
    const { ports, connection } = await ready(child);
    expect(output()).toContain(`DATABASE_URL=${connection.postgres.databases.user?.url}`);
    expect(output()).toContain(`AWS_ENDPOINT_URL_SQS=${connection.aws.endpoints.sqs}`);
    for (const port of Object.values(ports)) expect(await isListening(port)).toBe(true);

    const exited = once(child, 'exit');
    child.kill('SIGTERM');
    expect(await exited).toEqual([0, null]);
    for (const port of Object.values(ports)) expect(await isListening(port)).toBe(false);
  });

  it('stops by itself when its parent goes away (the IPC channel closes)', async () => {
    const { child } = startCli();
    const { ports } = await ready(child);

    const exited = once(child, 'exit');
    child.disconnect();
    expect(await exited).toEqual([0, null]);
    for (const port of Object.values(ports)) expect(await isListening(port)).toBe(false);
  });
});
