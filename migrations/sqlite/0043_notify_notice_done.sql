-- A reply's notice records when its job was done (sent, failed on every
-- route, or nothing to send): a "solved" or "more information" notice
-- waits, for a short while, behind the replies sent before it, so that a
-- citizen is not told "solved" before the answer (internal/notify,
-- replyAhead). Replies told before this column existed count as done.
ALTER TABLE notify_notices ADD COLUMN done_at DATETIME NULL;
UPDATE notify_notices SET done_at = created_at WHERE event_key LIKE 'reply:%';
