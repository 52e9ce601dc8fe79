import { describeWithBackends, waitFor } from '@storekeeper/testing';
import { beforeAll, expect, it } from 'vitest';
import { type BillingTestApp, buildBillingTestApp } from './helper.ts';

describeWithBackends('billing app', () => {
  let t: BillingTestApp;
  beforeAll(async () => {
    t = await buildBillingTestApp();
    return () => t.close();
  });

  it('turns not ready while its database is unreachable and ready again when it returns', async () => {
    expect((await t.app.inject('/health/ready')).statusCode).toBe(200);
    await t.proxy.cut();
    expect((await t.app.inject('/health/ready')).statusCode).toBe(503);
    await t.proxy.restore();
    await waitFor(async () => (await t.app.inject('/health/ready')).statusCode === 200, {
      timeout: 10_000,
      description: 'readiness back to 200',
    });
  });
});
