-- A queue's handle time for wait estimates reads its latest solved
-- tickets: walked backwards from the newest solution on this index instead
-- of sorting every solved ticket of the queue.
CREATE INDEX tickets_queue_solved_idx ON tickets (queue_id, solved_at) WHERE solved_at IS NOT NULL;
