-- Fair PIN locks (internal/complaint/pinguard.go).
--
-- Wrong PINs per tracking number and client network (SHA-256 digests of
-- both, so no number or address is kept): a stranger's guesses lock only
-- the stranger's network. complaint_pin_failures keeps counting attempts
-- per number across all networks, now as a much higher ceiling over a
-- longer window. known_until remembers the network that opened the
-- complaint with its right PIN (the ceiling does not hold it back); the
-- row outlives its window while it is remembered.
CREATE TABLE complaint_pin_client_failures (
    tracking_hash TEXT        NOT NULL,
    client_hash   TEXT        NOT NULL,
    failures      INTEGER     NOT NULL,
    window_at     DATETIME    NOT NULL,
    known_until   DATETIME,
    PRIMARY KEY (tracking_hash, client_hash)
);
CREATE INDEX complaint_pin_client_failures_window_idx ON complaint_pin_client_failures (window_at);
