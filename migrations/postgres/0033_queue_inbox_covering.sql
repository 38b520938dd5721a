-- The queue's inbox index carries the filters an agent's inbox uses most
-- (channel, priority, status) after its order: a queue branch of a
-- filtered page is read from the index alone, so a queue with no ticket
-- under the filter is passed over in the index, not by fetching each of
-- its tickets (internal/ticket list.go; BenchmarkCorpus' "agent: whatsapp,
-- high priority"). Same name, same leading columns: it replaces the old.
DROP INDEX tickets_queue_inbox_idx;
CREATE INDEX tickets_queue_inbox_idx ON tickets (queue_id, last_message_at DESC, id DESC, channel, priority, status);
