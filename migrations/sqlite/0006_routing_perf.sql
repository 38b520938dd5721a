-- Waiting tickets per queue, kept by triggers, so queue metrics read one
-- small row per queue instead of counting every waiting ticket. A ticket
-- waits while it has a queue, no assignee and is new, open or pending.
-- SQLite has one writer at a time, so every change goes to backend 0 (the
-- column exists to keep both dialects' tables alike).
CREATE TABLE queue_waiting_counts (
    queue_id INTEGER NOT NULL,
    backend  INTEGER NOT NULL,
    n        INTEGER NOT NULL,
    PRIMARY KEY (queue_id, backend)
);

INSERT INTO queue_waiting_counts (queue_id, backend, n)
SELECT queue_id, 0, COUNT(*) FROM tickets
WHERE queue_id IS NOT NULL AND assignee_id IS NULL AND status IN ('new', 'open', 'pending')
GROUP BY queue_id;

CREATE TRIGGER tickets_waiting_insert AFTER INSERT ON tickets
WHEN NEW.queue_id IS NOT NULL AND NEW.assignee_id IS NULL AND NEW.status IN ('new', 'open', 'pending')
BEGIN
    INSERT INTO queue_waiting_counts (queue_id, backend, n) VALUES (NEW.queue_id, 0, 1)
    ON CONFLICT (queue_id, backend) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER tickets_waiting_leave AFTER UPDATE OF queue_id, assignee_id, status ON tickets
WHEN OLD.queue_id IS NOT NULL AND OLD.assignee_id IS NULL AND OLD.status IN ('new', 'open', 'pending')
  AND (OLD.queue_id IS NOT NEW.queue_id OR OLD.assignee_id IS NOT NEW.assignee_id OR OLD.status IS NOT NEW.status)
BEGIN
    INSERT INTO queue_waiting_counts (queue_id, backend, n) VALUES (OLD.queue_id, 0, -1)
    ON CONFLICT (queue_id, backend) DO UPDATE SET n = n - 1;
END;

CREATE TRIGGER tickets_waiting_enter AFTER UPDATE OF queue_id, assignee_id, status ON tickets
WHEN NEW.queue_id IS NOT NULL AND NEW.assignee_id IS NULL AND NEW.status IN ('new', 'open', 'pending')
  AND (OLD.queue_id IS NOT NEW.queue_id OR OLD.assignee_id IS NOT NEW.assignee_id OR OLD.status IS NOT NEW.status)
BEGIN
    INSERT INTO queue_waiting_counts (queue_id, backend, n) VALUES (NEW.queue_id, 0, 1)
    ON CONFLICT (queue_id, backend) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER tickets_waiting_delete AFTER DELETE ON tickets
WHEN OLD.queue_id IS NOT NULL AND OLD.assignee_id IS NULL AND OLD.status IN ('new', 'open', 'pending')
BEGIN
    INSERT INTO queue_waiting_counts (queue_id, backend, n) VALUES (OLD.queue_id, 0, -1)
    ON CONFLICT (queue_id, backend) DO UPDATE SET n = n - 1;
END;
