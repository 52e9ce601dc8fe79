-- Up Migration

-- One billing account per user, opened when user.signed-up arrives.
CREATE TABLE billing_accounts (
  user_id             uuid        PRIMARY KEY,
  billing_address     jsonb       NOT NULL,
  currency            char(3)     NOT NULL,
  credit_limit_cents  bigint      NOT NULL CHECK (credit_limit_cents >= 0),
  available_cents     bigint      NOT NULL CHECK (available_cents >= 0),
  opened_at           timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT available_within_limit CHECK (available_cents <= credit_limit_cents)
);

-- Charges against the credit. One per order: the unique key is the last line of
-- defence behind the consumer's inbox.
CREATE TABLE charges (
  id            uuid        PRIMARY KEY,
  order_id      uuid        NOT NULL UNIQUE,
  user_id       uuid        NOT NULL REFERENCES billing_accounts (user_id),
  amount_cents  bigint      NOT NULL CHECK (amount_cents >= 0),
  currency      char(3)     NOT NULL,
  charged_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX charges_user_recent ON charges (user_id, charged_at DESC);

-- Down Migration
DROP TABLE charges;
DROP TABLE billing_accounts;
