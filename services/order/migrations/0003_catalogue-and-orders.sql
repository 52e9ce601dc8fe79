-- The catalogue, the order event store with its read model, and the Idempotency-Key
-- records of POST /orders. Numbered 0003 because local databases have applied 0002.

-- Up Migration

-- What can be ordered, at which price. Orders copy the price when they are placed, so a
-- later price change never alters an order.
CREATE TABLE products (
  sku          text    PRIMARY KEY CHECK (sku ~ '^[A-Z0-9][A-Z0-9-]{1,63}$'),
  name         text    NOT NULL,
  price_cents  integer NOT NULL CHECK (price_cents >= 0),
  currency     char(3) NOT NULL DEFAULT 'EUR'
);

-- From pocket money to more than a new account's default credit limit (50,000 cents), so
-- both outcomes of the order saga can be tried with the catalogue as it ships.
INSERT INTO products (sku, name, price_cents, currency) VALUES
  ('STICKER-PACK',    'Sticker pack',                  350, 'EUR'),
  ('MUG-BLUE',        'Blue enamel mug',              1250, 'EUR'),
  ('TSHIRT-LOGO',     'Logo T-shirt',                 2400, 'EUR'),
  ('HOODIE-GREY',     'Grey hoodie',                  5900, 'EUR'),
  ('BACKPACK-DAY',    'Day backpack',                12900, 'EUR'),
  ('HEADPHONES-PRO',  'Noise-cancelling headphones', 24900, 'EUR'),
  ('DESK-STANDING',   'Standing desk',               69900, 'EUR');

-- The source of truth: every change of every order, in order. The key is the optimistic
-- lock: two writers that decided on the same version of an order cannot both append, the
-- second fails and decides again on the newer state.
CREATE TABLE order_events (
  order_id     uuid        NOT NULL,
  version      integer     NOT NULL CHECK (version >= 1),
  type         text        NOT NULL CHECK (type IN ('OrderPlaced', 'OrderConfirmed', 'OrderRejected')),
  data         jsonb       NOT NULL,
  occurred_at  timestamptz NOT NULL,
  PRIMARY KEY (order_id, version)
);

-- The read model the queries read: one row per order, written by the projection in the
-- same transaction as the events it reflects, and rebuilt from order_events at will
-- (`pnpm --filter @storekeeper/order rebuild-read-model`). No foreign keys: it is derived.
CREATE TABLE orders (
  id           uuid        PRIMARY KEY,
  user_id      uuid        NOT NULL,
  status       text        NOT NULL CHECK (status IN ('PENDING', 'CONFIRMED', 'REJECTED')),
  items        jsonb       NOT NULL,
  total_cents  bigint      NOT NULL CHECK (total_cents >= 0),
  currency     char(3)     NOT NULL,
  reason       text,
  placed_at    timestamptz NOT NULL,
  updated_at   timestamptz NOT NULL,
  version      integer     NOT NULL
);

-- A user's orders, newest first.
CREATE INDEX orders_user_newest ON orders (user_id, placed_at DESC, id DESC);

-- Idempotency-Key records of POST /orders, per user. A request claims its key (state
-- in-flight) in a statement of its own, so a concurrent retry sees the claim at once; the
-- order, its events and the completed key commit together. A failed request deletes its
-- claim, so the client can retry with the same key.
CREATE TABLE idempotency_keys (
  user_id       uuid        NOT NULL,
  key           text        NOT NULL,
  request_hash  text        NOT NULL,                 -- SHA-256 of the canonical JSON body
  claim_id      uuid        NOT NULL,                 -- which request holds the claim
  state         text        NOT NULL CHECK (state IN ('in-flight', 'completed')),
  order_id      uuid,                                 -- set when completed
  created_at    timestamptz NOT NULL,
  expires_at    timestamptz NOT NULL,
  PRIMARY KEY (user_id, key),
  CHECK ((state = 'completed') = (order_id IS NOT NULL))
);

-- The sweep of expired keys.
CREATE INDEX idempotency_keys_expires_at ON idempotency_keys (expires_at);

-- Down Migration

DROP TABLE idempotency_keys;
DROP TABLE orders;
DROP TABLE order_events;
DROP TABLE products;
