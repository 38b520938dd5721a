-- One row per message the WhatsApp adapter handed to the Graph API (a reply
-- is one message, or several: parts other than the last are keyed
-- outbound_id#n),
-- written as soon as Meta returns its message id (wamid) and before the
-- outbound envelope is acknowledged: a redelivered reply finds its row and
-- is not sent a second time. Status webhooks find the reply by wamid.
CREATE TABLE whatsapp_sends (
    outbound_id     TEXT        PRIMARY KEY,
    message_id      BIGINT      NOT NULL,
    wamid           TEXT        NOT NULL,
    phone_number_id TEXT        NOT NULL,
    created_at      DATETIME    NOT NULL
);
CREATE INDEX whatsapp_sends_wamid_idx ON whatsapp_sends (wamid);

-- Media of inbound messages is fetched after the message is stored: the
-- attachment row carries a placeholder key until the file is in the store.
CREATE INDEX attachments_storage_key_idx ON attachments (storage_key);
