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

-- The tag and wrap-up filters use the tags tables and their indexes
-- (ticket_tags_tag_idx, ticket_wrapups_code_idx, wrapup_codes_code_idx),
-- made by the migration before this one.

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
