import type { Outbox } from '@storekeeper/messaging';
import { type PostgresClient, type PostgresPool, withTransaction } from '@storekeeper/platform';
import type { User } from '../domain/user.ts';
import type { UserEvent } from '../domain/user-events.ts';
import type { NewAccount, UserStore } from '../domain/user-store.ts';

interface UserRow {
  id: string;
  email: string;
  name: string;
  billing_address: User['billingAddress'];
  email_verified_at: Date | null;
  created_at: Date;
}

const UNIQUE_VIOLATION = '23505';

function toUser(row: UserRow): User {
  return {
    id: row.id,
    email: row.email,
    name: row.name,
    billingAddress: row.billing_address,
    emailVerified: row.email_verified_at !== null,
    createdAt: row.created_at,
  };
}

/** Writes the events on the caller's transaction: published if and only if it commits. */
async function addEvents(
  outbox: Outbox,
  tx: PostgresClient,
  events: readonly UserEvent[],
): Promise<void> {
  for (const event of events) await outbox.add(tx, event.type, event.data);
}

export function createPostgresUserStore(pool: PostgresPool, outbox: Outbox): UserStore {
  return {
    async create(account) {
      try {
        await withTransaction(pool, async (client) => {
          await insertAccount(client, account);
          await addEvents(outbox, client, account.events);
        });
        return true;
      } catch (error) {
        if ((error as { code?: string }).code === UNIQUE_VIOLATION) return false;
        throw error;
      }
    },

    async findCredentials(email) {
      const { rows } = await pool.query<{ id: string; password_hash: string }>(
        'SELECT id, password_hash FROM users WHERE email = $1',
        [email],
      );
      const row = rows[0];
      return row ? { userId: row.id, passwordHash: row.password_hash } : undefined;
    },

    async findById(id) {
      const { rows } = await pool.query<UserRow>(
        `SELECT id, email, name, billing_address, email_verified_at, created_at
           FROM users WHERE id = $1`,
        [id],
      );
      return rows[0] ? toUser(rows[0]) : undefined;
    },

    async redeemVerification(tokenHash, now, events) {
      return withTransaction(pool, async (client) => {
        // One statement claims the token, so two concurrent redemptions cannot both win.
        const { rows } = await client.query<{ user_id: string }>(
          `UPDATE email_verification_tokens SET used_at = $2
            WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2
          RETURNING user_id`,
          [tokenHash, now],
        );
        const userId = rows[0]?.user_id;
        if (!userId) return undefined;
        const verified = await client.query(
          'UPDATE users SET email_verified_at = $2 WHERE id = $1 AND email_verified_at IS NULL',
          [userId, now],
        );
        if (verified.rowCount) await addEvents(outbox, client, events(userId));
        return userId;
      });
    },
  };
}

async function insertAccount(client: PostgresClient, account: NewAccount): Promise<void> {
  const { user, passwordHash, verification } = account;
  await client.query(
    `INSERT INTO users (id, email, name, password_hash, billing_address, created_at)
     VALUES ($1, $2, $3, $4, $5, $6)`,
    [
      user.id,
      user.email,
      user.name,
      passwordHash,
      JSON.stringify(user.billingAddress),
      user.createdAt,
    ],
  );
  await client.query(
    'INSERT INTO email_verification_tokens (token_hash, user_id, expires_at) VALUES ($1, $2, $3)',
    [verification.tokenHash, user.id, verification.expiresAt],
  );
}
