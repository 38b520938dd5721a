-- Wallboard and admin screens.
--
-- not_ready_reasons: why an agent is away (istirahat, sholat, rapat,
-- pelatihan, after-call work). limit_seconds > 0 gives the reason its own
-- timer: the wallboard marks an agent who stays longer. Labels in both
-- console languages; retired reasons stay for history.
CREATE TABLE not_ready_reasons (
    id            BIGSERIAL   PRIMARY KEY,
    code          TEXT        NOT NULL UNIQUE,
    label_id      TEXT        NOT NULL,
    label_en      TEXT        NOT NULL,
    limit_seconds INTEGER     NOT NULL DEFAULT 0 CHECK (limit_seconds >= 0),
    position      INTEGER     NOT NULL DEFAULT 0,
    retired_at    TIMESTAMPTZ NULL,
    created_at    TIMESTAMPTZ NOT NULL,
    updated_at    TIMESTAMPTZ NOT NULL
);
INSERT INTO not_ready_reasons (code, label_id, label_en, limit_seconds, position, created_at, updated_at) VALUES
    ('istirahat', 'Istirahat', 'Break', 0, 1, now(), now()),
    ('sholat', 'Sholat', 'Prayer', 0, 2, now(), now()),
    ('rapat', 'Rapat', 'Meeting', 0, 3, now(), now()),
    ('pelatihan', 'Pelatihan', 'Training', 0, 4, now(), now()),
    ('acw', 'Pekerjaan setelah panggilan', 'After-call work', 120, 5, now(), now());

-- The reason of an away agent ('' when none), and deactivated accounts:
-- a deactivated agent cannot sign in and has no session.
ALTER TABLE agents ADD COLUMN not_ready_reason TEXT NOT NULL DEFAULT '';
ALTER TABLE agents ADD COLUMN deactivated_at TIMESTAMPTZ NULL;

-- The audit-log screen filters by who, what and when, newest first
-- (when alone: audit_log_created_idx of 0019).
CREATE INDEX audit_log_agent_created_idx ON audit_log (agent_id, created_at, id);
CREATE INDEX audit_log_action_created_idx ON audit_log (action, created_at, id);
-- With an index on the action, a ticket's own audit rows of one action
-- (reports: transfers and reopens per ticket) must still be found by
-- ticket first: the ticket index carries the action too.
DROP INDEX audit_log_ticket_idx;
CREATE INDEX audit_log_ticket_idx ON audit_log (ticket_id, action);

-- The wallboard's figures of today read the tickets created since
-- midnight through tickets_created_idx (created_at, id) of 0019.
