-- Outbox and inbox of @storekeeper/messaging (docs/messaging.md). Every PostgreSQL
-- service applies an identical copy of this file as one of its migrations; a test in
-- shared/messaging fails when a copy drifts from this original.

-- Up Migration

-- Events written in the same transaction as the state change they announce. The relay
-- publishes them to SNS and sets published_at; rows are claimed with
-- FOR UPDATE SKIP LOCKED, so several relays never publish the same row at once.
CREATE TABLE outbox (
  id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  event_id      text        NOT NULL UNIQUE,
  event_type    text        NOT NULL,
  event         jsonb       NOT NULL,                -- the whole CloudEvent, as published
  trace_header  text,                                -- the writer's trace, for the relay
  created_at    timestamptz NOT NULL DEFAULT now(),
  available_at  timestamptz NOT NULL DEFAULT now(),  -- not before: retry backoff per row
  attempts      integer     NOT NULL DEFAULT 0,
  last_error    text,
  published_at  timestamptz
);

-- Only unpublished rows are ever searched; the index stays as small as the backlog.
CREATE INDEX outbox_pending ON outbox (available_at, id) WHERE published_at IS NULL;
CREATE INDEX outbox_published_at ON outbox (published_at) WHERE published_at IS NOT NULL;

-- Events this service has handled, written in the same transaction as the handler's
-- effect: a redelivered or duplicated event finds its row and is skipped. CloudEvents
-- ids are unique per source, hence the key.
CREATE TABLE inbox (
  event_source  text        NOT NULL,
  event_id      text        NOT NULL,
  event_type    text        NOT NULL,
  processed_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (event_source, event_id)
);

CREATE INDEX inbox_processed_at ON inbox (processed_at);

-- Down Migration

DROP TABLE inbox;
DROP TABLE outbox;
