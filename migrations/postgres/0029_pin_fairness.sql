-- Fair PIN locks (internal/complaint/pinguard.go), and the permission to
-- treat a ticket as a complaint (internal/permission).
--
-- Wrong PINs per tracking number and client network (SHA-256 digests of
-- both, so no number or address is kept): a stranger's guesses lock only
-- the stranger's network. complaint_pin_failures keeps counting attempts
-- per number across all networks, now as a much higher ceiling over a
-- longer window. A row with known_until remembers the network that opened
-- the complaint with its right PIN (the ceiling does not hold that PIN from
-- it back); its client_hash digests number, network and PIN together, so
-- the table alone does not tell which network follows an anonymous
-- complaint. It outlives its window while it is remembered.
CREATE TABLE complaint_pin_client_failures (
    tracking_hash TEXT        NOT NULL,
    client_hash   TEXT        NOT NULL,
    failures      INTEGER     NOT NULL,
    window_at     TIMESTAMPTZ NOT NULL,
    known_until   TIMESTAMPTZ,
    PRIMARY KEY (tracking_hash, client_hash)
);
CREATE INDEX complaint_pin_client_failures_window_idx ON complaint_pin_client_failures (window_at);

-- "Treat as complaint" is a permission of its own (complaints.adopt):
-- adopting a chat or call starts the regulated verification clock and the
-- 60-day ceiling and counts in the periodic report, with no undo, so the
-- built-in supervisor and admin roles get it and agents do not (an admin
-- may grant it to agents or to a verifier role on the roles screen).
UPDATE roles SET permissions = permissions || ' complaints.adopt'
WHERE name IN ('supervisor', 'admin') AND ' ' || permissions || ' ' NOT LIKE '% complaints.adopt %';
