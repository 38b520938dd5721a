-- The public-service complaint lifecycle (UU 25/2009, Perpres 76/2013,
-- SP4N-LAPOR!): kind, stage and working-day clocks of each complaint, the
-- steps the citizen sees on the status page, and what an anonymous or
-- confidential complaint keeps apart from its ticket.

-- One row per form submission that is anonymous or confidential, written
-- before the submission goes on the bus. intake_key is the submission's
-- provider message id (stable even when the core renumbers the ticket).
-- pin_hash is a bcrypt of the PIN shown once. name/phone/email/nik are the
-- identity of a confidential complaint: the ticket's contact is a
-- pseudonym (visitor_id), so the identity never reaches tickets, events,
-- logs or exports; it is read only through an audited reveal.
CREATE TABLE complaint_intakes (
    intake_key   TEXT        PRIMARY KEY,
    anonymous    INTEGER     NOT NULL DEFAULT 0,
    confidential INTEGER     NOT NULL DEFAULT 0,
    pin_hash     TEXT        NOT NULL,
    visitor_id   TEXT        NOT NULL,
    name         TEXT        NOT NULL DEFAULT '',
    phone        TEXT        NOT NULL DEFAULT '',
    email        TEXT        NOT NULL DEFAULT '',
    nik          TEXT        NOT NULL DEFAULT '',
    created_at   DATETIME    NOT NULL
);

-- stage: verification -> (incomplete -> verification) -> verified ->
-- disposed -> answered -> followed_up -> closed; or not_authority /
-- archived. closed_at is set on every final stage. due_at is the current
-- stage's deadline (NULL: none running); while incomplete the clock is
-- paused (paused_at) with paused_left_s of working time left.
CREATE TABLE complaints (
    ticket_id         BIGINT      PRIMARY KEY REFERENCES tickets (id) ON DELETE CASCADE,
    intake_key        TEXT        NOT NULL DEFAULT '',
    kind              TEXT        NOT NULL CHECK (kind IN ('pengaduan', 'aspirasi', 'informasi')),
    stage             TEXT        NOT NULL CHECK (stage IN ('verification', 'incomplete', 'verified', 'disposed', 'answered', 'followed_up', 'closed', 'not_authority', 'archived')),
    anonymous         INTEGER     NOT NULL DEFAULT 0,
    confidential      INTEGER     NOT NULL DEFAULT 0,
    category          TEXT        NOT NULL DEFAULT '',
    province_code     TEXT        NOT NULL DEFAULT '',
    time_zone         TEXT        NOT NULL DEFAULT 'Asia/Jakarta',
    received_at       DATETIME    NOT NULL,
    complete_at       DATETIME    NULL,
    verified_at       DATETIME    NULL,
    due_at            DATETIME    NULL,
    paused_at         DATETIME    NULL,
    paused_left_s     BIGINT      NOT NULL DEFAULT 0,
    completed_by_citizen INTEGER  NOT NULL DEFAULT 0,
    unit              TEXT        NOT NULL DEFAULT '',
    instructions      TEXT        NOT NULL DEFAULT '',
    disposed_at       DATETIME    NULL,
    answer            TEXT        NOT NULL DEFAULT '',
    answered_at       DATETIME    NULL,
    answered_in_time  INTEGER     NULL,
    published_at      DATETIME    NULL,
    close_due_at      DATETIME    NULL,
    ceiling_at        DATETIME    NULL,
    ceiling_warned    INTEGER     NOT NULL DEFAULT 0,
    escalated_at      DATETIME    NULL,
    reopen_count      INTEGER     NOT NULL DEFAULT 0,
    agency            TEXT        NOT NULL DEFAULT '',
    archive_reason    TEXT        NOT NULL DEFAULT '' CHECK (archive_reason IN ('', 'spam', 'duplicate', 'other')),
    closed_at         DATETIME    NULL,
    updated_at        DATETIME    NOT NULL
);
-- Scheduler ticks: each reads one of these.
CREATE INDEX complaints_incomplete_idx ON complaints (paused_at) WHERE stage = 'incomplete';
CREATE INDEX complaints_close_due_idx ON complaints (close_due_at) WHERE stage = 'followed_up';
CREATE INDEX complaints_ceiling_idx ON complaints (ceiling_at) WHERE closed_at IS NULL;
-- The report reads one period.
CREATE INDEX complaints_received_idx ON complaints (received_at);
-- Per unit queue screens.
CREATE INDEX complaints_unit_stage_idx ON complaints (unit, stage);

-- The timeline: every step, with the text the citizen may see.
CREATE TABLE complaint_steps (
    id          INTEGER     PRIMARY KEY AUTOINCREMENT,
    ticket_id   BIGINT      NOT NULL REFERENCES complaints (ticket_id) ON DELETE CASCADE,
    step        TEXT        NOT NULL,
    agent_id    BIGINT      NULL REFERENCES agents (id) ON DELETE SET NULL,
    public_note TEXT        NOT NULL DEFAULT '',
    detail      TEXT        NOT NULL DEFAULT '',
    created_at  DATETIME    NOT NULL
);
CREATE INDEX complaint_steps_ticket_idx ON complaint_steps (ticket_id, id);

-- The scheduler's cursor over new form tickets: one row per name,
-- advanced monotonically.
CREATE TABLE complaint_cursors (
    name      TEXT   PRIMARY KEY,
    ticket_id BIGINT NOT NULL DEFAULT 0
);
INSERT INTO complaint_cursors (name, ticket_id) VALUES ('link', 0);
-- Form tickets in id order, for that cursor.
CREATE INDEX tickets_channel_id_idx ON tickets (channel, id);
