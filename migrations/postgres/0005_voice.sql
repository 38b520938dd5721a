-- One row per phone call (inbound, or an outbound callback). path is the
-- menu path taken ("main>info>main"), outcome what the call achieved:
-- answered, abandoned, voicemail, callback, self_service ('' while unknown).
CREATE TABLE voice_calls (
    call_sid         TEXT        PRIMARY KEY,
    direction        TEXT        NOT NULL CHECK (direction IN ('inbound', 'outbound')),
    caller           TEXT        NOT NULL DEFAULT '',
    path             TEXT        NOT NULL DEFAULT '',
    outcome          TEXT        NOT NULL DEFAULT '',
    status           TEXT        NOT NULL DEFAULT '',
    duration_seconds INTEGER     NOT NULL DEFAULT 0,
    callback_id      BIGINT      NULL,
    started_at       TIMESTAMPTZ NOT NULL,
    ended_at         TIMESTAMPTZ NULL,
    updated_at       TIMESTAMPTZ NOT NULL
);
CREATE INDEX voice_calls_started_idx ON voice_calls (started_at);

-- The callback line: a caller's request keeps its place (requested_at)
-- through failed attempts; one open request per number.
CREATE TABLE voice_callbacks (
    id            BIGSERIAL   PRIMARY KEY,
    phone         TEXT        NOT NULL,
    call_sid      TEXT        NOT NULL,
    status        TEXT        NOT NULL CHECK (status IN ('waiting', 'calling', 'done')),
    attempts      INTEGER     NOT NULL DEFAULT 0,
    last_call_sid TEXT        NOT NULL DEFAULT '',
    last_outcome  TEXT        NOT NULL DEFAULT '',
    agent_id      BIGINT      NULL REFERENCES agents (id),
    requested_at  TIMESTAMPTZ NOT NULL,
    updated_at    TIMESTAMPTZ NOT NULL
);
CREATE UNIQUE INDEX voice_callbacks_open_phone_key ON voice_callbacks (phone) WHERE status <> 'done';
CREATE INDEX voice_callbacks_status_idx ON voice_callbacks (status, requested_at, id);
