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

-- Words of messages: an FTS5 index over messages.body (external content,
-- kept in step by triggers), unicode61 tokens without diacritics, no
-- stemming (Bahasa Indonesia has none built in; names and numbers match as
-- written).
CREATE VIRTUAL TABLE messages_fts USING fts5(body, content='messages', content_rowid='id', tokenize='unicode61 remove_diacritics 2');
CREATE TRIGGER messages_fts_ai AFTER INSERT ON messages BEGIN
    INSERT INTO messages_fts (rowid, body) VALUES (new.id, new.body);
END;
CREATE TRIGGER messages_fts_ad AFTER DELETE ON messages BEGIN
    INSERT INTO messages_fts (messages_fts, rowid, body) VALUES ('delete', old.id, old.body);
END;
CREATE TRIGGER messages_fts_au AFTER UPDATE OF body ON messages BEGIN
    INSERT INTO messages_fts (messages_fts, rowid, body) VALUES ('delete', old.id, old.body);
    INSERT INTO messages_fts (rowid, body) VALUES (new.id, new.body);
END;
INSERT INTO messages_fts (messages_fts) VALUES ('rebuild');

-- Citizens' names, word by word (prefix queries).
CREATE VIRTUAL TABLE contacts_fts USING fts5(name, content='contacts', content_rowid='id', tokenize='unicode61 remove_diacritics 2');
CREATE TRIGGER contacts_fts_ai AFTER INSERT ON contacts BEGIN
    INSERT INTO contacts_fts (rowid, name) VALUES (new.id, new.name);
END;
CREATE TRIGGER contacts_fts_ad AFTER DELETE ON contacts BEGIN
    INSERT INTO contacts_fts (contacts_fts, rowid, name) VALUES ('delete', old.id, old.name);
END;
CREATE TRIGGER contacts_fts_au AFTER UPDATE OF name ON contacts BEGIN
    INSERT INTO contacts_fts (contacts_fts, rowid, name) VALUES ('delete', old.id, old.name);
    INSERT INTO contacts_fts (rowid, name) VALUES (new.id, new.name);
END;
INSERT INTO contacts_fts (contacts_fts) VALUES ('rebuild');

-- The tag and wrap-up filters use the tags tables and their indexes
-- (ticket_tags_tag_idx, ticket_wrapups_code_idx, wrapup_codes_code_idx),
-- made by the migration before this one.

-- Saved views: a named filter set (JSON), personal to its owner or shared
-- with everyone (supervisors and admins share).
CREATE TABLE saved_views (
    id         INTEGER  PRIMARY KEY AUTOINCREMENT,
    owner_id   INTEGER  NOT NULL REFERENCES agents (id) ON DELETE CASCADE,
    shared     BOOLEAN  NOT NULL DEFAULT FALSE,
    name       TEXT     NOT NULL,
    filters    TEXT     NOT NULL DEFAULT '{}',
    created_at DATETIME NOT NULL,
    updated_at DATETIME NOT NULL
);
CREATE INDEX saved_views_owner_idx ON saved_views (owner_id, id);
CREATE INDEX saved_views_shared_idx ON saved_views (id) WHERE shared;
