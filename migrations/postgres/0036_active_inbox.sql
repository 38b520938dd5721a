-- The inbox of those who see every ticket (its default: the active ones,
-- most recently active first) reads the active tickets alone in its order.
-- With most tickets solved, the planner had taken the SLA index of active
-- tickets and sorted all of them for each page, so a page's cost grew with
-- the open backlog (SQLite: 4.6 ms of CPU a page at 10,000 tickets, 362 ms
-- at 1,000,000 in BenchmarkScale); walking tickets_inbox_idx instead would
-- pass over every solved ticket newer than the oldest one listed. Only
-- active tickets are in it, so it stays as small as the backlog.
CREATE INDEX tickets_active_inbox_idx ON tickets (last_message_at DESC, id DESC) WHERE status IN ('new', 'open', 'pending');
