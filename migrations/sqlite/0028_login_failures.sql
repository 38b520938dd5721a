-- The book of failed console sign-ins, shared by every instance so that
-- n instances behind a load balancer do not give an attacker n times the
-- tries. One row per throttled key (an account seen from unknown
-- browsers, one known device of an account, or one client address); the
-- key is kept only as its SHA-256, since it names an agent's email or an
-- address. Times are Unix milliseconds, compared the same on both
-- dialects. gen is bumped by every write: the throttle updates a row only
-- where gen is what it read (compare-and-set), which makes its check and
-- count one atomic step without a lock.
CREATE TABLE login_failures (
    key_hash     TEXT    PRIMARY KEY,
    failures     INTEGER NOT NULL,
    first_at     BIGINT  NOT NULL,
    last_at      BIGINT  NOT NULL,
    locked_until BIGINT  NOT NULL,
    expires_at   BIGINT  NOT NULL,
    gen          BIGINT  NOT NULL
);
-- The purge of rows that no longer mean anything.
CREATE INDEX login_failures_expires ON login_failures (expires_at);
