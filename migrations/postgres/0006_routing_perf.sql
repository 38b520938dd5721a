-- Waiting tickets per queue, kept by triggers, so queue metrics read a few
-- small rows per queue instead of counting every waiting ticket. A ticket
-- waits while it has a queue, no assignee and is new, open or pending.
--
-- Each database connection adds its changes to its own row (backend =
-- pg_backend_pid()): a connection runs one transaction at a time, so no two
-- transactions ever update the same counter row and an assignment never
-- waits on another one's counter. A queue's count is the sum of its rows;
-- the rows of connections that are gone are folded into backend 0 by the
-- router's metrics loop.
CREATE TABLE queue_waiting_counts (
    queue_id BIGINT  NOT NULL,
    backend  INTEGER NOT NULL,
    n        BIGINT  NOT NULL,
    PRIMARY KEY (queue_id, backend)
);

INSERT INTO queue_waiting_counts (queue_id, backend, n)
SELECT queue_id, 0, COUNT(*) FROM tickets
WHERE queue_id IS NOT NULL AND assignee_id IS NULL AND status IN ('new', 'open', 'pending')
GROUP BY queue_id;

CREATE FUNCTION queue_waiting_count() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'INSERT' AND OLD.queue_id IS NOT NULL AND OLD.assignee_id IS NULL
       AND OLD.status IN ('new', 'open', 'pending') THEN
        INSERT INTO queue_waiting_counts AS c (queue_id, backend, n) VALUES (OLD.queue_id, pg_backend_pid(), -1)
        ON CONFLICT (queue_id, backend) DO UPDATE SET n = c.n - 1;
    END IF;
    IF TG_OP <> 'DELETE' AND NEW.queue_id IS NOT NULL AND NEW.assignee_id IS NULL
       AND NEW.status IN ('new', 'open', 'pending') THEN
        INSERT INTO queue_waiting_counts AS c (queue_id, backend, n) VALUES (NEW.queue_id, pg_backend_pid(), 1)
        ON CONFLICT (queue_id, backend) DO UPDATE SET n = c.n + 1;
    END IF;
    RETURN NULL;
END
$$;

-- The WHEN clauses keep every other ticket write (messages, SLA stamps,
-- updated_at) from calling the function at all.
CREATE TRIGGER tickets_waiting_insert AFTER INSERT ON tickets FOR EACH ROW
    WHEN (NEW.queue_id IS NOT NULL AND NEW.assignee_id IS NULL AND NEW.status IN ('new', 'open', 'pending'))
    EXECUTE FUNCTION queue_waiting_count();
CREATE TRIGGER tickets_waiting_update AFTER UPDATE OF queue_id, assignee_id, status ON tickets FOR EACH ROW
    WHEN (OLD.queue_id IS DISTINCT FROM NEW.queue_id OR OLD.assignee_id IS DISTINCT FROM NEW.assignee_id
          OR OLD.status IS DISTINCT FROM NEW.status)
    EXECUTE FUNCTION queue_waiting_count();
CREATE TRIGGER tickets_waiting_delete AFTER DELETE ON tickets FOR EACH ROW
    WHEN (OLD.queue_id IS NOT NULL AND OLD.assignee_id IS NULL AND OLD.status IN ('new', 'open', 'pending'))
    EXECUTE FUNCTION queue_waiting_count();
