-- Citizen notifications (internal/notify): one row per event and route.
--
-- event_key names what happened ("reply:<message id>", "status:<ticket
-- id>:<change>"); the unique (event_key, route) is the never-twice rule: a
-- redelivered job finds its row and does not send again. status is
-- sending (queued while a temporary failure waits to retry) -> sent ->
-- delivered (where the provider reports it),
-- or to failed with the reason; a failed route hands over to the next one.
CREATE TABLE notify_deliveries (
    id          BIGSERIAL   PRIMARY KEY,
    event_key   TEXT        NOT NULL,
    route       TEXT        NOT NULL CHECK (route IN ('email', 'sms', 'whatsapp')),
    ticket_id   BIGINT      NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,
    kind        TEXT        NOT NULL CHECK (kind IN ('reply', 'more_info', 'solved')),
    status      TEXT        NOT NULL CHECK (status IN ('queued', 'sending', 'sent', 'delivered', 'failed')),
    attempts    INTEGER     NOT NULL DEFAULT 0,
    provider_id TEXT        NOT NULL DEFAULT '',
    reason      TEXT        NOT NULL DEFAULT '',
    created_at  TIMESTAMPTZ NOT NULL,
    updated_at  TIMESTAMPTZ NOT NULL,
    CONSTRAINT notify_deliveries_event_route_key UNIQUE (event_key, route)
);
-- The ticket's notifications in the console.
CREATE INDEX notify_deliveries_ticket_idx ON notify_deliveries (ticket_id, created_at, id);
-- Provider status callbacks (Twilio's MessageSid).
CREATE INDEX notify_deliveries_provider_idx ON notify_deliveries (route, provider_id) WHERE provider_id <> '';

-- The last ticket status notify saw, so "asked for more information" and
-- "solved" are told once per change, whichever instance sees the event.
CREATE TABLE notify_ticket_state (
    ticket_id BIGINT  PRIMARY KEY REFERENCES tickets (id) ON DELETE CASCADE,
    status    TEXT    NOT NULL,
    changes   INTEGER NOT NULL DEFAULT 0
);
