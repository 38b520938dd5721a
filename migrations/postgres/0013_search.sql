-- Search, list filters and saved views (issue 14), the agent inbox (issue 13).
--
-- The inbox order (last_message_at DESC, id DESC) is served by an index for
-- each way the list is cut: everything (admins), one queue, one assignee.
-- The list query reads one ordered index range per queue the viewer works
-- in (plus their own tickets elsewhere) and merges the short results, so a
-- page of 20 never sorts the whole table. Other filters ride on these
-- walks; the selective ones (tag, wrap-up code, SLA state) have indexes of
-- their own that the planner drives from when they are rarer.
CREATE INDEX tickets_inbox_idx ON tickets (last_message_at DESC, id DESC);
CREATE INDEX tickets_queue_inbox_idx ON tickets (queue_id, last_message_at DESC, id DESC);
CREATE INDEX tickets_assignee_inbox_idx ON tickets (assignee_id, last_message_at DESC, id DESC);
CREATE INDEX tickets_province_inbox_idx ON tickets (province_code, last_message_at DESC, id DESC);
CREATE INDEX tickets_first_response_open_idx ON tickets (first_response_due_at)
    WHERE first_response_at IS NULL AND status IN ('new', 'open', 'pending');

-- Words of messages: the 'simple' configuration (lower case, no stemming:
-- Bahasa Indonesia has no built-in stemmer, and names and numbers must
-- match as written). A stored column keeps ranking from re-parsing bodies.
ALTER TABLE messages ADD COLUMN body_tsv tsvector
    GENERATED ALWAYS AS (to_tsvector('simple', left(body, 100000))) STORED;
CREATE INDEX messages_body_tsv_idx ON messages USING GIN (body_tsv) WITH (gin_pending_list_limit = 256);

-- Citizens' names, word by word (prefix queries).
CREATE INDEX contacts_name_tsv_idx ON contacts USING GIN (to_tsvector('simple', name)) WITH (gin_pending_list_limit = 256);

-- Tags and wrap-up codes belong to migration 0012 (tags); the statements
-- below repeat their shape only so the filter indexes have their tables
-- whichever order the features reach a database in. They change nothing
-- when 0012 already made them.
CREATE TABLE IF NOT EXISTS tags (
    id         BIGSERIAL PRIMARY KEY,
    name       TEXT        NOT NULL UNIQUE,
    managed    BOOLEAN     NOT NULL DEFAULT FALSE,
    created_at TIMESTAMPTZ NOT NULL
);
CREATE TABLE IF NOT EXISTS ticket_tags (
    ticket_id BIGINT NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,
    tag_id    BIGINT NOT NULL REFERENCES tags (id) ON DELETE CASCADE,
    PRIMARY KEY (ticket_id, tag_id)
);
CREATE TABLE IF NOT EXISTS wrapup_codes (
    id       BIGSERIAL PRIMARY KEY,
    queue_id BIGINT  NULL REFERENCES queues (id) ON DELETE CASCADE,
    code     TEXT    NOT NULL,
    label_id TEXT    NOT NULL DEFAULT '',
    label_en TEXT    NOT NULL DEFAULT '',
    active   BOOLEAN NOT NULL DEFAULT TRUE
);
CREATE TABLE IF NOT EXISTS ticket_wrapups (
    ticket_id  BIGINT      PRIMARY KEY REFERENCES tickets (id) ON DELETE CASCADE,
    code_id    BIGINT      NOT NULL REFERENCES wrapup_codes (id),
    agent_id   BIGINT      NULL REFERENCES agents (id),
    created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX IF NOT EXISTS ticket_tags_tag_idx ON ticket_tags (tag_id, ticket_id);
CREATE INDEX IF NOT EXISTS ticket_wrapups_code_idx ON ticket_wrapups (code_id, ticket_id);
CREATE INDEX IF NOT EXISTS wrapup_codes_code_idx ON wrapup_codes (code);

-- Saved views: a named filter set (JSON), personal to its owner or shared
-- with everyone (supervisors and admins share).
CREATE TABLE saved_views (
    id         BIGSERIAL PRIMARY KEY,
    owner_id   BIGINT      NOT NULL REFERENCES agents (id) ON DELETE CASCADE,
    shared     BOOLEAN     NOT NULL DEFAULT FALSE,
    name       TEXT        NOT NULL,
    filters    TEXT        NOT NULL DEFAULT '{}',
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX saved_views_owner_idx ON saved_views (owner_id, id);
CREATE INDEX saved_views_shared_idx ON saved_views (id) WHERE shared;
