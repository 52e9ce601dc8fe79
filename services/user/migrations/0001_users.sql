-- Up Migration

-- Accounts. The email is stored normalised (trimmed, lower case), so the unique index
-- makes "Ada@Example.com" and "ada@example.com" the same account.
CREATE TABLE users (
  id                 uuid PRIMARY KEY,
  email              text        NOT NULL,
  name               text        NOT NULL,
  password_hash      text        NOT NULL,
  billing_address    jsonb       NOT NULL,
  email_verified_at  timestamptz,
  created_at         timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT users_email_normalised CHECK (email = lower(btrim(email)))
);
CREATE UNIQUE INDEX users_email_key ON users (email);

-- One-time email-verification tokens. Only a SHA-256 of the token is kept: a copy of
-- this table cannot verify anybody's address.
CREATE TABLE email_verification_tokens (
  token_hash  bytea       PRIMARY KEY,
  user_id     uuid        NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  expires_at  timestamptz NOT NULL,
  used_at     timestamptz,
  created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX email_verification_tokens_user ON email_verification_tokens (user_id);

-- Down Migration
DROP TABLE email_verification_tokens;
DROP TABLE users;
