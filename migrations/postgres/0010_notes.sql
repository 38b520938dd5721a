-- Agents' notifications: a colleague mentioned them in an internal note
-- (kind 'mention'). The console lists the newest first per agent and counts
-- the unread ones; both are served by notifications_agent_idx.
CREATE TABLE notifications (
    id         BIGSERIAL PRIMARY KEY,
    agent_id   BIGINT      NOT NULL REFERENCES agents (id) ON DELETE CASCADE,
    kind       TEXT        NOT NULL CHECK (kind IN ('mention')),
    ticket_id  BIGINT      NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,
    message_id BIGINT      NULL REFERENCES messages (id) ON DELETE CASCADE,
    actor_id   BIGINT      NULL REFERENCES agents (id) ON DELETE SET NULL,
    preview    TEXT        NOT NULL DEFAULT '',
    read_at    TIMESTAMPTZ NULL,
    created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX notifications_agent_idx ON notifications (agent_id, id);
CREATE INDEX notifications_unread_idx ON notifications (agent_id) WHERE read_at IS NULL;
CREATE INDEX notifications_ticket_idx ON notifications (ticket_id);
CREATE INDEX notifications_message_idx ON notifications (message_id);

-- Canned replies. owner_id set: the agent's own; owner_id NULL: shared,
-- with the queue it belongs to (queue_id NULL: every queue). Each way of
-- seeing one (mine, my queues', everyone's) is served by its index.
CREATE TABLE canned_responses (
    id          BIGSERIAL PRIMARY KEY,
    owner_id    BIGINT      NULL REFERENCES agents (id) ON DELETE CASCADE,
    queue_id    BIGINT      NULL REFERENCES queues (id) ON DELETE CASCADE,
    lang        TEXT        NOT NULL CHECK (lang IN ('id-ID', 'en-US')),
    title       TEXT        NOT NULL,
    shortcut    TEXT        NOT NULL DEFAULT '',
    body        TEXT        NOT NULL,
    usage_count BIGINT      NOT NULL DEFAULT 0,
    created_by  BIGINT      NULL REFERENCES agents (id) ON DELETE SET NULL,
    created_at  TIMESTAMPTZ NOT NULL,
    updated_at  TIMESTAMPTZ NOT NULL
);
CREATE INDEX canned_responses_owner_idx ON canned_responses (owner_id);
CREATE INDEX canned_responses_shared_idx ON canned_responses (queue_id) WHERE owner_id IS NULL;

-- Macros: one action that sends a canned reply and sets status, priority,
-- tags and/or transfers. Same ownership rule as canned replies.
CREATE TABLE macros (
    id             BIGSERIAL PRIMARY KEY,
    owner_id       BIGINT      NULL REFERENCES agents (id) ON DELETE CASCADE,
    queue_id       BIGINT      NULL REFERENCES queues (id) ON DELETE CASCADE,
    name           TEXT        NOT NULL,
    canned_id      BIGINT      NULL REFERENCES canned_responses (id) ON DELETE SET NULL,
    set_status     TEXT        NOT NULL DEFAULT '',
    set_priority   TEXT        NOT NULL DEFAULT '',
    add_tags       TEXT        NOT NULL DEFAULT '[]',
    transfer_queue TEXT        NOT NULL DEFAULT '',
    transfer_agent BIGINT      NULL REFERENCES agents (id) ON DELETE SET NULL,
    usage_count    BIGINT      NOT NULL DEFAULT 0,
    created_by     BIGINT      NULL REFERENCES agents (id) ON DELETE SET NULL,
    created_at     TIMESTAMPTZ NOT NULL,
    updated_at     TIMESTAMPTZ NOT NULL
);
CREATE INDEX macros_owner_idx ON macros (owner_id);
CREATE INDEX macros_shared_idx ON macros (queue_id) WHERE owner_id IS NULL;
CREATE INDEX macros_canned_idx ON macros (canned_id);
