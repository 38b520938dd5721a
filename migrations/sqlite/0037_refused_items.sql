-- Items a channel received and could not read (a WhatsApp message whose
-- sender is no number, a status without an id): the rest of the provider's
-- POST is kept, and each refused item is recorded on the inbound stream,
-- where the core keeps it here for admins (internal/refused). record_id is
-- the record's id on the stream, so a redelivery adds no second row.
-- sender is the E.164 number when it could be read ('' otherwise): the
-- data-subject erasure deletes the rows of the citizen's numbers by it.
-- raw is the item as sent, cut to 16 KiB by the adapter; the retention
-- purge deletes rows with the message bodies' period (created_at).
CREATE TABLE refused_items (
    id                  INTEGER     PRIMARY KEY AUTOINCREMENT,
    record_id           TEXT        NOT NULL,
    channel             TEXT        NOT NULL,
    item                TEXT        NOT NULL,
    provider_message_id TEXT        NOT NULL DEFAULT '',
    sender              TEXT        NOT NULL DEFAULT '',
    cause               TEXT        NOT NULL,
    reason              TEXT        NOT NULL,
    raw                 TEXT        NOT NULL,
    received_at         DATETIME    NOT NULL,
    created_at          DATETIME    NOT NULL,
    CONSTRAINT refused_items_record_key UNIQUE (record_id)
);
-- The admin list (newest first, by pages) and the purge (oldest first).
CREATE INDEX refused_items_created_idx ON refused_items (created_at, id);
-- The erasure of a citizen's numbers.
CREATE INDEX refused_items_sender_idx ON refused_items (sender) WHERE sender <> '';

-- An admin opening a refused item whole is a view of personal data.
ALTER TABLE view_audit ADD COLUMN refused_item_id BIGINT NULL;
