-- A ticket left waiting in its queue keeps the W3C traceparent of the
-- citizen's message that opened it (only while tracing is on, and only a
-- sampled one), so the agent's later assignment links that trace and
-- opens its span in it (internal/routing, trace.go). NULL otherwise.
ALTER TABLE tickets ADD COLUMN wait_trace TEXT;
