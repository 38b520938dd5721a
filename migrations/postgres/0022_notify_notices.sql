-- Citizen notifications (internal/notify): a status notice keys on the
-- ticket's own status transition, never on what one instance happened to
-- see of the events.
--
-- status_seq counts the ticket's status changes: the trigger adds one on
-- every UPDATE that really changes status (whichever code path does it),
-- so (ticket, status_seq) names one transition. A priority change, a
-- reply that keeps the status or a redelivered event leaves it alone.
ALTER TABLE tickets ADD COLUMN status_seq BIGINT NOT NULL DEFAULT 0;

CREATE FUNCTION tickets_status_seq() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.status_seq := OLD.status_seq + 1;
    RETURN NEW;
END
$$;

CREATE TRIGGER tickets_status_seq BEFORE UPDATE OF status ON tickets FOR EACH ROW
    WHEN (OLD.status IS DISTINCT FROM NEW.status)
    EXECUTE FUNCTION tickets_status_seq();

-- One row per notification (event_key: "reply:<message id>" or
-- "status:<ticket id>:<status_seq>:<status>"). For a status transition the
-- row is the unique "already taken up" mark: a later event about the same
-- transition (a priority change, a redelivery, a restart) queues nothing.
-- survey_url is the solved ticket's survey link, fetched once per
-- notification and reused by every retry and route.
CREATE TABLE notify_notices (
    event_key  TEXT        PRIMARY KEY,
    ticket_id  BIGINT      NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,
    survey_url TEXT        NULL,
    created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX notify_notices_ticket_idx ON notify_notices (ticket_id);

-- Transitions the earlier scheme already told are marked as taken up.
INSERT INTO notify_notices (event_key, ticket_id, created_at)
SELECT 'status:' || t.id || ':0:' || t.status, t.id, CURRENT_TIMESTAMP
FROM notify_ticket_state s JOIN tickets t ON t.id = s.ticket_id AND t.status = s.status
WHERE t.status IN ('pending', 'solved');

DROP TABLE notify_ticket_state;
