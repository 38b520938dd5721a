-- Personal-data protection (UU 27/2022).
--
-- view_audit: who opened which citizen's identity (contact panel), thread
-- (ticket, transcript) or attachment, and when. Written in batches off the
-- request path; no foreign keys, so a view outlives what it looked at and an
-- insert checks nothing. kind: ticket, transcript, contact, attachment,
-- export. ticket_id / contact_id are filled for every kind they apply to,
-- so one index answers "who looked at this citizen".
CREATE TABLE view_audit (
    id            INTEGER     PRIMARY KEY AUTOINCREMENT,
    at            DATETIME    NOT NULL,
    agent_id      BIGINT      NOT NULL,
    kind          TEXT        NOT NULL,
    ticket_id     BIGINT      NULL,
    contact_id    BIGINT      NULL,
    attachment_id BIGINT      NULL
);
CREATE INDEX view_audit_at_idx ON view_audit (at, id);
CREATE INDEX view_audit_agent_idx ON view_audit (agent_id, at, id);
CREATE INDEX view_audit_ticket_idx ON view_audit (ticket_id, at, id);
CREATE INDEX view_audit_contact_idx ON view_audit (contact_id, at, id);

-- Contacts whose processing is restricted: their tickets are frozen
-- (replies and changes refused) until the restriction is lifted.
CREATE TABLE processing_restrictions (
    contact_id BIGINT      PRIMARY KEY,
    agent_id   BIGINT      NOT NULL,
    reason     TEXT        NOT NULL DEFAULT '',
    created_at DATETIME    NOT NULL
);

-- Data-subject requests carried out (export, erase, restrict, lift): the
-- audit of what was done for whom, by whom. detail is a JSON summary that
-- holds no personal data.
CREATE TABLE subject_requests (
    id         INTEGER     PRIMARY KEY AUTOINCREMENT,
    kind       TEXT        NOT NULL,
    contact_id BIGINT      NOT NULL,
    agent_id   BIGINT      NOT NULL,
    detail     TEXT        NOT NULL DEFAULT '{}',
    created_at DATETIME    NOT NULL
);
CREATE INDEX subject_requests_contact_idx ON subject_requests (contact_id, id);

-- Anonymized contacts keep their row (tickets and figures point at it).
ALTER TABLE contacts ADD COLUMN anonymized_at DATETIME    NULL;
