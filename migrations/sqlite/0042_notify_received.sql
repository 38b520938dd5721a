-- Citizen notifications (internal/notify): a caller whose voicemail or
-- callback request lands on a ticket is sent its tracking number, a
-- notification of its own kind.
--
-- SQLite cannot alter a CHECK: the table is made again with the new one,
-- its rows copied with their ids and its id counter, and its indexes made
-- again (sqlite.org/lang_altertable.html, "other kinds of table schema
-- changes"). No table refers to this one.
CREATE TABLE notify_deliveries_new (
    id          INTEGER     PRIMARY KEY AUTOINCREMENT,
    event_key   TEXT        NOT NULL,
    route       TEXT        NOT NULL CHECK (route IN ('email', 'sms', 'whatsapp')),
    ticket_id   BIGINT      NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,
    kind        TEXT        NOT NULL CHECK (kind IN ('reply', 'more_info', 'solved', 'received')),
    status      TEXT        NOT NULL CHECK (status IN ('queued', 'sending', 'sent', 'delivered', 'failed')),
    attempts    INTEGER     NOT NULL DEFAULT 0,
    provider_id TEXT        NOT NULL DEFAULT '',
    reason      TEXT        NOT NULL DEFAULT '',
    created_at  DATETIME    NOT NULL,
    updated_at  DATETIME    NOT NULL,
    CONSTRAINT notify_deliveries_event_route_key UNIQUE (event_key, route)
);
INSERT INTO notify_deliveries_new (id, event_key, route, ticket_id, kind, status, attempts, provider_id, reason, created_at, updated_at)
SELECT id, event_key, route, ticket_id, kind, status, attempts, provider_id, reason, created_at, updated_at FROM notify_deliveries;
-- The id counter goes on from the old table's, not from its highest
-- surviving id: a deleted ticket's notification ids are never handed out
-- again (a late bounce or status names its notification by id).
DELETE FROM sqlite_sequence WHERE name = 'notify_deliveries_new';
INSERT INTO sqlite_sequence (name, seq) SELECT 'notify_deliveries_new', seq FROM sqlite_sequence WHERE name = 'notify_deliveries';
DROP TABLE notify_deliveries;
ALTER TABLE notify_deliveries_new RENAME TO notify_deliveries;
-- The ticket's notifications in the console.
CREATE INDEX notify_deliveries_ticket_idx ON notify_deliveries (ticket_id, created_at, id);
-- Provider status callbacks (Twilio's MessageSid).
CREATE INDEX notify_deliveries_provider_idx ON notify_deliveries (route, provider_id) WHERE provider_id <> '';
