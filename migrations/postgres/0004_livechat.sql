-- Live chat. A visitor is one browser (its signed token names the id);
-- tracking_number is the ticket of the visitor's current conversation,
-- minted by the gateway before the first message so every message of the
-- conversation names it. last_seq numbers the visitor's log: the row lock
-- taken by the UPDATE that bumps it orders appends per visitor.
CREATE TABLE livechat_visitors (
    id              TEXT        PRIMARY KEY,
    name            TEXT        NOT NULL DEFAULT '',
    phone           TEXT        NOT NULL DEFAULT '',
    email           TEXT        NOT NULL DEFAULT '',
    lang            TEXT        NOT NULL DEFAULT '',
    tracking_number TEXT        NOT NULL,
    -- none (no message yet), open, solved
    state           TEXT        NOT NULL DEFAULT 'none',
    agent_id        BIGINT,
    last_seq        BIGINT      NOT NULL DEFAULT 0,
    created_at      TIMESTAMPTZ NOT NULL,
    updated_at      TIMESTAMPTZ NOT NULL
);
CREATE UNIQUE INDEX livechat_visitors_tracking_idx ON livechat_visitors (tracking_number);

-- Everything a visitor's widget shows, in order: the visitor's messages
-- (dedupe_key c:<client id>, so a resend is stored once), agent replies
-- (o:<outbound id>), agent joined, read marks, solved, new conversation.
-- A widget resumes by asking for the entries after the last seq it saw.
CREATE TABLE livechat_log (
    id              BIGSERIAL   PRIMARY KEY,
    visitor_id      TEXT        NOT NULL REFERENCES livechat_visitors (id) ON DELETE CASCADE,
    seq             BIGINT      NOT NULL,
    kind            TEXT        NOT NULL,
    dedupe_key      TEXT,
    tracking_number TEXT        NOT NULL,
    message_id      BIGINT,
    body            TEXT        NOT NULL DEFAULT '{}',
    created_at      TIMESTAMPTZ NOT NULL,
    CONSTRAINT livechat_log_visitor_seq_key UNIQUE (visitor_id, seq),
    CONSTRAINT livechat_log_visitor_dedupe_key UNIQUE (visitor_id, dedupe_key)
);
-- The conversation a ticket number belongs to, for delivering replies to
-- the browser that wrote it.
CREATE INDEX livechat_log_tracking_idx ON livechat_log (tracking_number);
