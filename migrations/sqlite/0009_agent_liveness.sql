-- last_seen_at is the last sign of life of an agent's console (an API
-- request or a socket heartbeat). The presence sweep takes agents whose
-- console went silent to away, then offline; the index serves its
-- "presence = ? AND last_seen_at < ?" lookups without reading every agent.
ALTER TABLE agents ADD COLUMN last_seen_at DATETIME NULL;
UPDATE agents SET last_seen_at = updated_at;
CREATE INDEX agents_presence_seen_idx ON agents (presence, last_seen_at);
