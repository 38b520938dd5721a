-- Contacts are citizens; a contact has one identity per channel address.
CREATE TABLE contacts (
    id            BIGSERIAL PRIMARY KEY,
    name          TEXT        NOT NULL DEFAULT '',
    province_code TEXT        NOT NULL DEFAULT '',
    created_at    TIMESTAMPTZ NOT NULL,
    updated_at    TIMESTAMPTZ NOT NULL
);

-- kind: phone (E.164; a WhatsApp wa_id is a phone), email (lower case), nik, visitor.
CREATE TABLE contact_identities (
    id         BIGSERIAL PRIMARY KEY,
    contact_id BIGINT      NOT NULL REFERENCES contacts (id) ON DELETE CASCADE,
    kind       TEXT        NOT NULL,
    value      TEXT        NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    CONSTRAINT contact_identities_kind_value_key UNIQUE (kind, value)
);
CREATE INDEX contact_identities_contact_idx ON contact_identities (contact_id);

CREATE TABLE queues (
    id         BIGSERIAL PRIMARY KEY,
    code       TEXT        NOT NULL UNIQUE,
    name       TEXT        NOT NULL,
    created_at TIMESTAMPTZ NOT NULL
);

-- Agents are everyone who logs in to the console. active_load counts the
-- tickets assigned to the agent that are not solved or closed; assignment
-- only succeeds while active_load < capacity (conditional UPDATE).
CREATE TABLE agents (
    id               BIGSERIAL PRIMARY KEY,
    email            TEXT        NOT NULL UNIQUE,
    name             TEXT        NOT NULL,
    password_hash    TEXT        NOT NULL,
    role             TEXT        NOT NULL CHECK (role IN ('agent', 'supervisor', 'admin')),
    presence         TEXT        NOT NULL DEFAULT 'offline' CHECK (presence IN ('online', 'away', 'busy', 'offline')),
    capacity         INTEGER     NOT NULL DEFAULT 10 CHECK (capacity >= 0),
    active_load      INTEGER     NOT NULL DEFAULT 0 CHECK (active_load >= 0),
    last_assigned_at TIMESTAMPTZ NULL,
    created_at       TIMESTAMPTZ NOT NULL,
    updated_at       TIMESTAMPTZ NOT NULL
);

CREATE TABLE queue_members (
    queue_id BIGINT NOT NULL REFERENCES queues (id) ON DELETE CASCADE,
    agent_id BIGINT NOT NULL REFERENCES agents (id) ON DELETE CASCADE,
    PRIMARY KEY (queue_id, agent_id)
);
CREATE INDEX queue_members_agent_idx ON queue_members (agent_id);

-- Sessions hold only a SHA-256 of the bearer token.
CREATE TABLE sessions (
    id           BIGSERIAL PRIMARY KEY,
    token_hash   TEXT        NOT NULL UNIQUE,
    agent_id     BIGINT      NOT NULL REFERENCES agents (id) ON DELETE CASCADE,
    created_at   TIMESTAMPTZ NOT NULL,
    expires_at   TIMESTAMPTZ NOT NULL
);
CREATE INDEX sessions_agent_idx ON sessions (agent_id);

-- status: new -> open -> pending -> solved -> closed.
-- reporter_phone / reporter_email are the addresses given when the ticket
-- was opened: the public status page answers only to those, never to other
-- identities later attached to the same contact (which nobody verified).
CREATE TABLE tickets (
    id                BIGSERIAL PRIMARY KEY,
    tracking_number   TEXT        NOT NULL UNIQUE,
    contact_id        BIGINT      NOT NULL REFERENCES contacts (id),
    channel           TEXT        NOT NULL,
    category          TEXT        NOT NULL DEFAULT '',
    subject           TEXT        NOT NULL DEFAULT '',
    status            TEXT        NOT NULL DEFAULT 'new' CHECK (status IN ('new', 'open', 'pending', 'solved', 'closed')),
    priority          TEXT        NOT NULL DEFAULT 'normal' CHECK (priority IN ('low', 'normal', 'high', 'urgent')),
    queue_id          BIGINT      NULL REFERENCES queues (id),
    assignee_id       BIGINT      NULL REFERENCES agents (id),
    province_code     TEXT        NOT NULL DEFAULT '',
    reporter_phone    TEXT        NOT NULL DEFAULT '',
    reporter_email    TEXT        NOT NULL DEFAULT '',
    created_at        TIMESTAMPTZ NOT NULL,
    updated_at        TIMESTAMPTZ NOT NULL,
    last_message_at   TIMESTAMPTZ NOT NULL,
    first_response_at TIMESTAMPTZ NULL,
    solved_at         TIMESTAMPTZ NULL,
    closed_at         TIMESTAMPTZ NULL
);
CREATE INDEX tickets_queue_status_idx ON tickets (queue_id, status);
CREATE INDEX tickets_assignee_status_idx ON tickets (assignee_id, status);
CREATE INDEX tickets_contact_idx ON tickets (contact_id);

-- direction: in (citizen), out (agent reply), note (internal).
-- provider_message_id is the idempotency key with channel; external_id is
-- the provider's id of an outbound message once sent.
CREATE TABLE messages (
    id                  BIGSERIAL PRIMARY KEY,
    ticket_id           BIGINT      NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,
    direction           TEXT        NOT NULL CHECK (direction IN ('in', 'out', 'note')),
    channel             TEXT        NOT NULL,
    provider_message_id TEXT        NOT NULL,
    external_id         TEXT        NOT NULL DEFAULT '',
    agent_id            BIGINT      NULL REFERENCES agents (id),
    body                TEXT        NOT NULL,
    fields              TEXT        NOT NULL DEFAULT '{}',
    delivery_status     TEXT        NOT NULL DEFAULT '',
    delivery_error      TEXT        NOT NULL DEFAULT '',
    created_at          TIMESTAMPTZ NOT NULL,
    updated_at          TIMESTAMPTZ NOT NULL,
    CONSTRAINT messages_channel_provider_key UNIQUE (channel, provider_message_id)
);
CREATE INDEX messages_ticket_idx ON messages (ticket_id, created_at, id);

CREATE TABLE attachments (
    id          BIGSERIAL PRIMARY KEY,
    message_id  BIGINT      NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
    storage_key TEXT        NOT NULL,
    filename    TEXT        NOT NULL DEFAULT '',
    mime        TEXT        NOT NULL,
    size        BIGINT      NOT NULL,
    available   BOOLEAN     NOT NULL DEFAULT TRUE,
    created_at  TIMESTAMPTZ NOT NULL
);
CREATE INDEX attachments_message_idx ON attachments (message_id);

CREATE TABLE audit_log (
    id         BIGSERIAL PRIMARY KEY,
    agent_id   BIGINT      NULL REFERENCES agents (id),
    action     TEXT        NOT NULL,
    ticket_id  BIGINT      NULL REFERENCES tickets (id) ON DELETE SET NULL,
    detail     TEXT        NOT NULL DEFAULT '',
    created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX audit_log_ticket_idx ON audit_log (ticket_id);
