import { describe, expect, it } from 'vitest';
import { composeOverview, outcomeOf } from '../../src/domain/overview.ts';
import { billingAccount, orderList, profile } from '../helper.ts';

const items = (body: unknown) => (body as typeof orderList).items;
const account = (body: unknown) => body as typeof billingAccount;

describe('outcomeOf', () => {
  it('finds the part in a 2xx', () => {
    expect(outcomeOf({ status: 200, body: orderList }, items)).toEqual({
      kind: 'found',
      value: orderList.items,
    });
  });

  it('takes a 4xx as nothing to show, not as a failure', () => {
    expect(outcomeOf({ status: 404, body: {} }, account)).toEqual({ kind: 'none', status: 404 });
  });

  it('takes a 5xx, no answer or an answer outside the contract as a failure', () => {
    expect(outcomeOf({ status: 503, body: {} }, account)).toMatchObject({ kind: 'failed' });
    expect(outcomeOf(new Error('circuit open'), account)).toEqual({
      kind: 'failed',
      reason: 'circuit open',
    });
    expect(outcomeOf({ status: 200, body: {} }, () => undefined)).toMatchObject({
      kind: 'failed',
    });
  });
});

describe('composeOverview', () => {
  it('is complete when every part was found', () => {
    expect(
      composeOverview(profile, {
        recentOrders: { kind: 'found', value: orderList.items },
        billing: { kind: 'found', value: billingAccount },
      }),
    ).toEqual({ profile, recentOrders: orderList.items, billing: billingAccount, degraded: [] });
  });

  it('names failed parts in degraded, and leaves parts with nothing to show null', () => {
    expect(
      composeOverview(profile, {
        recentOrders: { kind: 'failed', reason: 'answered 503' },
        billing: { kind: 'none', status: 404 },
      }),
    ).toEqual({ profile, recentOrders: null, billing: null, degraded: ['recentOrders'] });
    expect(
      composeOverview(profile, {
        recentOrders: { kind: 'failed', reason: 'x' },
        billing: { kind: 'failed', reason: 'y' },
      }).degraded,
    ).toEqual(['recentOrders', 'billing']);
  });
});
