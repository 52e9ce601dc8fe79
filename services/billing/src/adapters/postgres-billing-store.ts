import type { Outbox } from '@storekeeper/messaging';
import type { PostgresClient, PostgresPool } from '@storekeeper/platform';
import type { BillingAccount, Charge } from '../domain/billing-account.ts';
import type { BillingStore } from '../domain/billing-store.ts';

interface AccountRow {
  user_id: string;
  billing_address: BillingAccount['billingAddress'];
  currency: string;
  credit_limit_cents: string;
  available_cents: string;
  opened_at: Date;
}

interface ChargeRow {
  id: string;
  order_id: string;
  amount_cents: string;
  currency: string;
  charged_at: Date;
}

const accountColumns =
  'user_id, billing_address, currency, credit_limit_cents, available_cents, opened_at';

// bigint columns arrive as text; amounts stay far below 2^53.
function toAccount(row: AccountRow): BillingAccount {
  return {
    userId: row.user_id,
    billingAddress: row.billing_address,
    currency: row.currency,
    creditLimitCents: Number(row.credit_limit_cents),
    availableCents: Number(row.available_cents),
    openedAt: row.opened_at,
  };
}

function toCharge(row: ChargeRow): Charge {
  return {
    id: row.id,
    orderId: row.order_id,
    amountCents: Number(row.amount_cents),
    currency: row.currency,
    chargedAt: row.charged_at,
  };
}

/** Where the store reads: the pool, or a transaction that also reads what it wrote. */
export type PostgresReader = PostgresPool | PostgresClient;

/**
 * The billing store: SQL only; what to book and what to publish is the domain's call.
 * The statements of every charge are named: each connection prepares them once.
 */
export function createPostgresBillingStore(
  outbox: Outbox,
): BillingStore<PostgresClient, PostgresReader> {
  return {
    async openAccount(tx, account) {
      await tx.query(
        `INSERT INTO billing_accounts (user_id, billing_address, currency, credit_limit_cents, available_cents)
         VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (user_id) DO NOTHING`,
        [
          account.userId,
          JSON.stringify(account.billingAddress),
          account.currency,
          account.creditLimitCents,
          account.availableCents,
        ],
      );
    },

    async lockAccount(tx, userId) {
      const { rows } = await tx.query<AccountRow>({
        name: 'billing-account-lock',
        text: `SELECT ${accountColumns} FROM billing_accounts WHERE user_id = $1 FOR UPDATE`,
        values: [userId],
      });
      return rows[0] ? toAccount(rows[0]) : undefined;
    },

    async recordCharge(tx, charge, availableAfterCents) {
      await tx.query({
        name: 'billing-charge-insert',
        text: `INSERT INTO charges (id, order_id, user_id, amount_cents, currency) VALUES ($1, $2, $3, $4, $5)`,
        values: [charge.id, charge.orderId, charge.userId, charge.amountCents, charge.currency],
      });
      await tx.query({
        name: 'billing-account-debit',
        text: 'UPDATE billing_accounts SET available_cents = $2 WHERE user_id = $1',
        values: [charge.userId, availableAfterCents],
      });
    },

    async addEvent(tx, event) {
      await outbox.add(tx, event.type, event.data);
    },

    async findAccount(db, userId, recentCharges) {
      const { rows } = await db.query<AccountRow>(
        `SELECT ${accountColumns} FROM billing_accounts WHERE user_id = $1`,
        [userId],
      );
      if (!rows[0]) return undefined;
      const charges = await db.query<ChargeRow>(
        `SELECT id, order_id, amount_cents, currency, charged_at FROM charges
          WHERE user_id = $1 ORDER BY charged_at DESC LIMIT $2`,
        [userId, recentCharges],
      );
      return { account: toAccount(rows[0]), recentCharges: charges.rows.map(toCharge) };
    },
  };
}
