import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { createEvent } from '@storekeeper/messaging';
import { describeWithBackends } from '@storekeeper/testing';
import { beforeAll, expect, it } from 'vitest';
import { buildOrderTestApp, type OrderTestApp, orderOf } from './helper.ts';

const run = promisify(execFile);
const command = fileURLToPath(new URL('../src/rebuild-read-model.ts', import.meta.url));

/** The admin command as an operator runs it: its own process, configured by the environment. */
function rebuild(env: Record<string, string>) {
  return run(process.execPath, ['--conditions=@storekeeper/source', command], {
    env: { PATH: process.env.PATH ?? '', ...env },
  }).then(
    ({ stdout }) => ({ code: 0, stdout, stderr: '' }),
    (error: { code: number; stdout: string; stderr: string }) => error,
  );
}

describeWithBackends('the rebuild-read-model command', () => {
  let t: OrderTestApp;
  beforeAll(async () => {
    t = await buildOrderTestApp();
    return () => t.close();
  });

  it('rebuilds the read model from the events and says how many orders it projected', async () => {
    const userId = t.users.addUser();
    const placed = (await t.placeOrder(userId, orderOf(['MUG-BLUE', 1]))).json();
    await t.placeOrder(userId, orderOf(['TSHIRT-LOGO', 1]));
    await t.deliver(
      createEvent('payment.succeeded', {
        orderId: placed.id,
        userId,
        chargeId: randomUUID(),
        amountCents: placed.totalCents,
        currency: 'EUR',
      }),
    );
    const before = await t.get(userId, '/orders');
    await t.pool.query('DELETE FROM orders');

    const result = await rebuild({ DATABASE_URL: t.db.url, LOG_LEVEL: 'info' });
    expect(result.code).toBe(0);
    const line = result.stdout.split('\n').find((l) => l.includes('read model rebuilt'));
    expect(JSON.parse(line ?? '{}')).toMatchObject({ orders: 2 });
    expect((await t.get(userId, '/orders')).body).toBe(before.body);
  });

  it('stops with a message naming the setting when DATABASE_URL is missing', async () => {
    const result = await rebuild({});
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/DATABASE_URL: is required/);
  });
});
