-- ROUTING_SEED_FILE is applied when its contents change, not at every
-- start (internal/app, seedRouting): the digest of the seed last applied,
-- so a restart with the same file keeps what admins edited since on the
-- admin screens (queues, holidays, rules, routing profiles).
CREATE TABLE seed_applied (
    name       TEXT        PRIMARY KEY,
    digest     TEXT        NOT NULL,
    applied_at DATETIME NOT NULL
);
