-- The citizen's whole history: notes on a contact, and merges of two
-- contacts that a split undoes exactly.
--
-- A merged contact stays as a tombstone (merged_into_id set) so its id
-- keeps answering (the console follows it to the surviving contact) and a
-- split brings it back under the same id.
ALTER TABLE contacts ADD COLUMN merged_into_id BIGINT NULL REFERENCES contacts (id);
CREATE INDEX contacts_merged_into_idx ON contacts (merged_into_id);

-- Notes agents write about a citizen (not about one ticket). Never edited
-- or deleted: the rows are their own audit (who, when, what).
CREATE TABLE contact_notes (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    contact_id BIGINT      NOT NULL REFERENCES contacts (id) ON DELETE CASCADE,
    agent_id   BIGINT      NOT NULL REFERENCES agents (id),
    body       TEXT        NOT NULL,
    created_at DATETIME NOT NULL
);
CREATE INDEX contact_notes_contact_idx ON contact_notes (contact_id, created_at, id);

-- One merge: from_id's tickets, identities and notes moved to into_id by
-- agent_id. name_filled / province_filled are what the merge wrote into an
-- empty name or province of into_id (empty: nothing), so a split can put
-- them back. undone_at / undone_by record the split.
CREATE TABLE contact_merges (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    into_id         BIGINT      NOT NULL REFERENCES contacts (id),
    from_id         BIGINT      NOT NULL REFERENCES contacts (id),
    agent_id        BIGINT      NOT NULL REFERENCES agents (id),
    name_filled     TEXT        NOT NULL DEFAULT '',
    province_filled TEXT        NOT NULL DEFAULT '',
    created_at      DATETIME NOT NULL,
    undone_at       DATETIME NULL,
    undone_by       BIGINT      NULL REFERENCES agents (id)
);
CREATE INDEX contact_merges_into_idx ON contact_merges (into_id, created_at);
CREATE INDEX contact_merges_from_idx ON contact_merges (from_id, created_at);

-- What one merge moved, by id: kind is ticket, identity or note.
CREATE TABLE contact_merge_items (
    merge_id BIGINT NOT NULL REFERENCES contact_merges (id) ON DELETE CASCADE,
    kind     TEXT   NOT NULL CHECK (kind IN ('ticket', 'identity', 'note')),
    item_id  BIGINT NOT NULL,
    PRIMARY KEY (merge_id, kind, item_id)
);

-- Probable duplicates: a ticket reported with a phone or e-mail that is
-- another contact's identity.
CREATE INDEX tickets_reporter_phone_idx ON tickets (reporter_phone) WHERE reporter_phone <> '';
CREATE INDEX tickets_reporter_email_idx ON tickets (reporter_email) WHERE reporter_email <> '';

-- Probable duplicates: the same e-mail stored in other letter case.
CREATE INDEX contact_identities_lower_idx ON contact_identities (kind, lower(value));
