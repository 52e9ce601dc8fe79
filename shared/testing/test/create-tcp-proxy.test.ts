import { once } from 'node:events';
import { connect, createServer, type Server, type Socket } from 'node:net';
import pg from 'pg';
import { beforeAll, describe, expect, it } from 'vitest';
import { createTcpProxy, type TcpProxy } from '../src/create-tcp-proxy.ts';
import { describeWithBackends, requireBackends } from '../src/use-backends.ts';

function open(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ port, host: '127.0.0.1' });
    socket.once('connect', () => resolve(socket));
    socket.once('error', reject);
  });
}

async function roundTrip(socket: Socket, text: string): Promise<string> {
  socket.write(text);
  const [data] = await once(socket, 'data');
  return String(data);
}

describe('createTcpProxy', () => {
  let echo: Server;
  let proxy: TcpProxy;

  beforeAll(async () => {
    echo = createServer((socket) => {
      socket.on('error', () => undefined); // the proxy resets it when cut
      socket.pipe(socket);
    });
    await new Promise<void>((resolve) => echo.listen(0, '127.0.0.1', resolve));
    proxy = await createTcpProxy({
      host: '127.0.0.1',
      port: (echo.address() as { port: number }).port,
    });
    return async () => {
      await proxy.close();
      echo.close();
    };
  });

  it('passes bytes both ways', async () => {
    const socket = await open(proxy.port);
    expect(await roundTrip(socket, 'ping')).toBe('ping');
    expect(proxy.connectionCount).toBe(1);
    socket.destroy();
  });

  it('cut() breaks open connections and refuses new ones; restore() heals, same port', async () => {
    const port = proxy.port;
    const socket = await open(port);
    expect(await roundTrip(socket, 'before')).toBe('before');
    const errors: string[] = [];
    socket.on('error', (error: NodeJS.ErrnoException) => errors.push(String(error.code)));
    const closed = new Promise((resolve) => socket.once('close', resolve));

    await proxy.cut();
    await closed;
    expect(errors).toEqual(['ECONNRESET']); // a reset, as when a server dies
    expect(proxy.isCut).toBe(true);
    await expect(open(port)).rejects.toMatchObject({ code: 'ECONNREFUSED' });

    await proxy.restore();
    expect(proxy.port).toBe(port);
    const again = await open(port);
    expect(await roundTrip(again, 'after')).toBe('after');
    again.destroy();
  });

  it('rewrites a URL to go through it', () => {
    expect(proxy.url('postgresql://u:p@db.example:5432/users?sslmode=disable')).toBe(
      `postgresql://u:p@127.0.0.1:${proxy.port}/users?sslmode=disable`,
    );
  });
});

describeWithBackends('createTcpProxy in front of PostgreSQL', () => {
  it('turns a working connection into errors and back, without a restart of the client side', async () => {
    const adminUrl = requireBackends().connection.postgres.adminUrl;
    const proxy = await createTcpProxy(adminUrl);
    const pool = new pg.Pool({
      connectionString: proxy.url(adminUrl),
      connectionTimeoutMillis: 2_000,
    });
    pool.on('error', () => undefined); // idle clients losing their connection
    try {
      expect((await pool.query('SELECT 1 AS ok')).rows).toEqual([{ ok: 1 }]);

      await proxy.cut();
      await expect(pool.query('SELECT 1')).rejects.toThrow();

      await proxy.restore();
      expect((await pool.query('SELECT 1 AS ok')).rows).toEqual([{ ok: 1 }]);
    } finally {
      await pool.end();
      await proxy.close();
    }
  });
});
