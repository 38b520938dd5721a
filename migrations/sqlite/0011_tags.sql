-- Tags on tickets, wrap-up (disposition) codes per queue, and the queues
-- that require a wrap-up code before a ticket is solved.
--
-- tags: managed = on the list supervisors keep; false = made by tagging
-- (free tags, where the configuration allows them). Names are stored
-- normalized (trimmed, lower case, single spaces).
CREATE TABLE tags (
    id         INTEGER     PRIMARY KEY AUTOINCREMENT,
    name       TEXT        NOT NULL UNIQUE,
    managed    BOOLEAN     NOT NULL DEFAULT 1,
    created_at DATETIME    NOT NULL
);
CREATE TABLE ticket_tags (
    ticket_id BIGINT NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,
    tag_id    BIGINT NOT NULL REFERENCES tags (id) ON DELETE CASCADE,
    PRIMARY KEY (ticket_id, tag_id)
);
-- Tickets by tag (list filters, reports).
CREATE INDEX ticket_tags_tag_idx ON ticket_tags (tag_id, ticket_id);

-- queue_id NULL: the code is offered in every queue. One code per queue
-- (and one among the codes of every queue).
CREATE TABLE wrapup_codes (
    id         INTEGER     PRIMARY KEY AUTOINCREMENT,
    queue_id   BIGINT      NULL REFERENCES queues (id) ON DELETE CASCADE,
    code       TEXT        NOT NULL,
    label_id   TEXT        NOT NULL,
    label_en   TEXT        NOT NULL,
    active     BOOLEAN     NOT NULL DEFAULT 1,
    created_at DATETIME    NOT NULL
);
CREATE UNIQUE INDEX wrapup_codes_queue_code_idx ON wrapup_codes ((COALESCE(queue_id, 0)), code);
CREATE INDEX wrapup_codes_code_idx ON wrapup_codes (code);

-- The wrap-up code chosen on a ticket (one per ticket; choosing again
-- replaces it).
CREATE TABLE ticket_wrapups (
    ticket_id  BIGINT      PRIMARY KEY REFERENCES tickets (id) ON DELETE CASCADE,
    code_id    BIGINT      NOT NULL REFERENCES wrapup_codes (id) ON DELETE CASCADE,
    agent_id   BIGINT      NULL REFERENCES agents (id) ON DELETE SET NULL,
    created_at DATETIME    NOT NULL
);
-- Tickets by wrap-up code (list filters, reports).
CREATE INDEX ticket_wrapups_code_idx ON ticket_wrapups (code_id, ticket_id);

-- Queues whose tickets need a wrap-up code before they are solved (or
-- closed from an active status). A queue without a row requires none.
CREATE TABLE queue_wrapup_rules (
    queue_id   BIGINT      PRIMARY KEY REFERENCES queues (id) ON DELETE CASCADE,
    required   BOOLEAN     NOT NULL DEFAULT 0,
    updated_at DATETIME    NOT NULL
);
