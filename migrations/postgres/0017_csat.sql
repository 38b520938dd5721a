-- Customer satisfaction (CSAT): one survey per solve of a ticket (or per
-- phone call an agent answered), at most one response per survey, and the
-- low-rating alerts of the queues' supervisors.
--
-- round names what the survey asks about: "solve:<unix nanoseconds of
-- solved_at>" or "call:<provider call id>". (ticket_id, round) is unique, so
-- a ticket is asked once per solve and asked again after a reopen and a new
-- solve. The channel, queue, agent, category and province are a snapshot at
-- the time of asking: the report counts the ticket where it was solved.
-- The survey link is a signed token over (id, expires_at); no token is
-- stored.
CREATE TABLE csat_surveys (
    id            BIGSERIAL   PRIMARY KEY,
    ticket_id     BIGINT      NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,
    round         TEXT        NOT NULL,
    channel       TEXT        NOT NULL,
    via           TEXT        NOT NULL DEFAULT '',
    queue_id      BIGINT      NULL REFERENCES queues (id) ON DELETE SET NULL,
    agent_id      BIGINT      NULL REFERENCES agents (id) ON DELETE SET NULL,
    category      TEXT        NOT NULL DEFAULT '',
    province_code TEXT        NOT NULL DEFAULT '',
    created_at    TIMESTAMPTZ NOT NULL,
    expires_at    TIMESTAMPTZ NOT NULL,
    asked_at      TIMESTAMPTZ NULL,
    UNIQUE (ticket_id, round)
);
-- The report reads surveys by the time they were sent.
CREATE INDEX csat_surveys_created_idx ON csat_surveys (created_at);

-- rating 1..5; one response per survey (the primary key), so a survey is
-- answered once whatever channel the answer came by.
CREATE TABLE csat_responses (
    survey_id  BIGINT      PRIMARY KEY REFERENCES csat_surveys (id) ON DELETE CASCADE,
    ticket_id  BIGINT      NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,
    agent_id   BIGINT      NULL REFERENCES agents (id) ON DELETE SET NULL,
    rating     SMALLINT    NOT NULL CHECK (rating BETWEEN 1 AND 5),
    comment    TEXT        NOT NULL DEFAULT '',
    answered_by TEXT       NOT NULL DEFAULT '',
    created_at TIMESTAMPTZ NOT NULL
);
-- A ticket's ratings (console details); an agent's ratings (own average).
CREATE INDEX csat_responses_ticket_idx ON csat_responses (ticket_id, created_at);
CREATE INDEX csat_responses_agent_idx ON csat_responses (agent_id, created_at);

-- A rating at or below the alert threshold, for the queue's supervisors.
CREATE TABLE csat_alerts (
    id         BIGSERIAL   PRIMARY KEY,
    survey_id  BIGINT      NOT NULL UNIQUE REFERENCES csat_surveys (id) ON DELETE CASCADE,
    ticket_id  BIGINT      NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,
    queue_id   BIGINT      NULL REFERENCES queues (id) ON DELETE SET NULL,
    rating     SMALLINT    NOT NULL,
    created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX csat_alerts_queue_idx ON csat_alerts (queue_id, created_at);
CREATE INDEX csat_alerts_created_idx ON csat_alerts (created_at);
