-- Citizen notifications (internal/notify): the catch-up sweep also finds
-- agent replies whose message.updated event never reached the bus, and an
-- SMS status callback that arrives before its SID is recorded is kept.
--
-- The replies the sweep looks at: outbound messages that ended "posted"
-- (on the status page) or "failed" (the live channel could not take them),
-- by the time their status last changed (updated_at, which every receipt
-- sets). Only such rows are in the index, so the biggest table costs the
-- sweep a range read of a small index.
CREATE INDEX messages_notify_reply_idx ON messages (updated_at, id)
    WHERE direction = 'out' AND delivery_status IN ('posted', 'failed');

-- Replies already taken up by their event are marked, so the first sweep
-- after the upgrade does not queue them again.
INSERT INTO notify_notices (event_key, ticket_id, created_at)
SELECT DISTINCT d.event_key, d.ticket_id, CURRENT_TIMESTAMP
FROM notify_deliveries d WHERE d.event_key LIKE 'reply:%'
ON CONFLICT (event_key) DO NOTHING;

-- A Twilio SMS status that named an SID not recorded yet (the send was
-- answered, its row not yet written): applied when the send records the
-- SID, forgotten after expires_at.
CREATE TABLE notify_early_sms (
    message_sid TEXT        PRIMARY KEY,
    status      TEXT        NOT NULL,
    error_code  TEXT        NOT NULL DEFAULT '',
    expires_at  DATETIME    NOT NULL
);
CREATE INDEX notify_early_sms_expires_idx ON notify_early_sms (expires_at);
