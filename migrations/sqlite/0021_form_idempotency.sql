-- One row per complaint submitted with a client idempotency key (the
-- Idempotency-Key header the complaint form sends, one key per form fill,
-- kept across retries): a resubmission after a dropped answer finds its
-- row by the key and gets the first tracking number back. Only the
-- SHA-256 of the key is kept. The tracking number itself is derived from
-- the key, so concurrent duplicates and submissions while the database is
-- down agree on it too; the bus and the messages' unique provider id make
-- them one ticket.
CREATE TABLE form_idempotency (
    key_hash        TEXT        PRIMARY KEY,
    tracking_number TEXT        NOT NULL,
    created_at      DATETIME    NOT NULL
);
