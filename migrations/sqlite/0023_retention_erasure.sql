-- The retention purge (internal/retention) reads each class by age. Each
-- index holds only the rows a purge still has to visit (partial on what
-- the purge blanks), so it shrinks as rows are purged and a daily run
-- reads what aged since the last one, not the whole history.
CREATE INDEX messages_purge_idx ON messages (created_at) WHERE body <> '' OR fields <> '{}';
CREATE INDEX attachments_purge_idx ON attachments (created_at) WHERE storage_key <> '';
CREATE INDEX contacts_purge_idx ON contacts (updated_at) WHERE anonymized_at IS NULL;
-- Copies of message text outside messages: the live-chat widget's log and
-- agents' mention previews go with the message bodies.
CREATE INDEX livechat_log_purge_idx ON livechat_log (created_at) WHERE body <> '{}';
CREATE INDEX notifications_purge_idx ON notifications (created_at) WHERE preview <> '';
-- Form idempotency keys are kept for the retry window only.
CREATE INDEX form_idempotency_created_idx ON form_idempotency (created_at);

-- Erasure (internal/dsr) finds a citizen's rows in the channels' tables by
-- their phone numbers and visitor ids.
CREATE INDEX voice_calls_caller_idx ON voice_calls (caller) WHERE caller <> '';
CREATE INDEX voice_callbacks_phone_idx ON voice_callbacks (phone);
CREATE INDEX complaint_intakes_visitor_idx ON complaint_intakes (visitor_id);
