-- The agent's call that took a queued caller (the agents' <Dial><Queue>
-- runs the bridged webhook with its DequeingCallSid): a recording that
-- Dial makes is reported under the agent's call and filed on the ticket of
-- this call's caller (channels/voice, callRecordingWebhook).
ALTER TABLE voice_calls ADD COLUMN agent_call_sid TEXT NOT NULL DEFAULT '';
CREATE INDEX voice_calls_agent_call_idx ON voice_calls (agent_call_sid) WHERE agent_call_sid <> '';
