import type { PostgresClient, PostgresPool } from '@storekeeper/platform';
import {
  type BillingAccount,
  type Charge,
  type ChargeDecision,
  decideCharge,
} from '../domain/billing-account.ts';

interface AccountRow {
  user_id: string;
  billing_address: BillingAccount['billingAddress'];
  currency: string;
  credit_limit_cents: string;
  available_cents: string;
  opened_at: Date;
}

const accountColumns =
  'user_id, billing_address, currency, credit_limit_cents, available_cents, opened_at';

function toAccount(row: AccountRow): BillingAccount {
  return {
    userId: row.user_id,
    billingAddress: row.billing_address,
    currency: row.currency,
    // bigint columns arrive as text; amounts stay far below 2^53.
    creditLimitCents: Number(row.credit_limit_cents),
    availableCents: Number(row.available_cents),
    openedAt: row.opened_at,
  };
}

/** The account does not exist (yet): user.signed-up has not been handled. Retried later. */
export class AccountNotOpenedError extends Error {
  constructor(userId: string) {
    super(`no billing account for user ${userId} yet`);
    this.name = 'AccountNotOpenedError';
  }
}

/** Opens the account; a second opening of the same user's account changes nothing. */
export async function openAccount(
  tx: PostgresClient,
  account: Omit<BillingAccount, 'availableCents' | 'openedAt'>,
): Promise<void> {
  await tx.query(
    `INSERT INTO billing_accounts (user_id, billing_address, currency, credit_limit_cents, available_cents)
     VALUES ($1, $2, $3, $4, $4)
     ON CONFLICT (user_id) DO NOTHING`,
    [
      account.userId,
      JSON.stringify(account.billingAddress),
      account.currency,
      account.creditLimitCents,
    ],
  );
}

export async function findAccount(
  pool: PostgresPool,
  userId: string,
  recentCharges = 10,
): Promise<{ account: BillingAccount; charges: Charge[] } | undefined> {
  const { rows } = await pool.query<AccountRow>(
    `SELECT ${accountColumns} FROM billing_accounts WHERE user_id = $1`,
    [userId],
  );
  if (!rows[0]) return undefined;
  const charges = await pool.query<{
    id: string;
    order_id: string;
    amount_cents: string;
    currency: string;
    charged_at: Date;
  }>(
    `SELECT id, order_id, amount_cents, currency, charged_at FROM charges
      WHERE user_id = $1 ORDER BY charged_at DESC LIMIT $2`,
    [userId, recentCharges],
  );
  return {
    account: toAccount(rows[0]),
    charges: charges.rows.map((row) => ({
      id: row.id,
      orderId: row.order_id,
      amountCents: Number(row.amount_cents),
      currency: row.currency,
      chargedAt: row.charged_at,
    })),
  };
}

export interface ChargeRequest {
  readonly chargeId: string;
  readonly orderId: string;
  readonly userId: string;
  readonly amountCents: number;
  readonly currency: string;
}

/**
 * Charges an order against the account on `tx`. The account row is locked first, so two
 * orders of one user are decided one after the other against the true balance.
 */
export async function chargeForOrder(
  tx: PostgresClient,
  request: ChargeRequest,
): Promise<ChargeDecision> {
  const { rows } = await tx.query<AccountRow>(
    `SELECT ${accountColumns} FROM billing_accounts WHERE user_id = $1 FOR UPDATE`,
    [request.userId],
  );
  if (!rows[0]) throw new AccountNotOpenedError(request.userId);
  const decision = decideCharge(toAccount(rows[0]), request.amountCents, request.currency);
  if (decision.outcome === 'refused') return decision;
  await tx.query(
    `INSERT INTO charges (id, order_id, user_id, amount_cents, currency) VALUES ($1, $2, $3, $4, $5)`,
    [request.chargeId, request.orderId, request.userId, request.amountCents, request.currency],
  );
  await tx.query('UPDATE billing_accounts SET available_cents = $2 WHERE user_id = $1', [
    request.userId,
    decision.availableAfterCents,
  ]);
  return decision;
}
