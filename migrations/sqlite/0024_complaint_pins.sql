-- Complaint lifecycle, second round.
--
-- The PIN of an anonymous or confidential complaint is shown once. A
-- retry of the same submission (the same Idempotency-Key, after a dropped
-- answer or sent twice at once) gets it back for a short while: the PIN is
-- sealed (AES-GCM) with a key derived from the Idempotency-Key, which only
-- the client holds, and wiped at pin_sealed_until. It is never kept plain.
ALTER TABLE complaint_intakes ADD COLUMN pin_sealed TEXT;
ALTER TABLE complaint_intakes ADD COLUMN pin_sealed_until DATETIME;
CREATE INDEX complaint_intakes_sealed_idx ON complaint_intakes (pin_sealed_until) WHERE pin_sealed_until IS NOT NULL;

-- Wrong PINs per tracking number (a SHA-256 of it, so a stranger's typing
-- keeps no number), counted in a window from the first miss: the lock holds
-- across instances. Unknown numbers count like real ones, so the lock tells
-- nothing about which numbers exist.
CREATE TABLE complaint_pin_failures (
    tracking_hash TEXT        PRIMARY KEY,
    failures      INTEGER     NOT NULL,
    window_at     DATETIME    NOT NULL
);
CREATE INDEX complaint_pin_failures_window_idx ON complaint_pin_failures (window_at);
