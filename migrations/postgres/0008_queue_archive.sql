-- A removed queue that still holds tickets (solved or closed, kept for
-- reports) is archived instead of deleted: routing, the admin list and the
-- dashboards skip it; saving a queue with its code brings it back. A
-- removed queue without any ticket is deleted outright.
ALTER TABLE queues ADD COLUMN archived_at TIMESTAMPTZ NULL;
