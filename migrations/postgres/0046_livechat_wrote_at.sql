-- When the visitor last wrote, by the gateway's clock. A "solved" entry is
-- appended only for a solve after it: a citizen who writes to a solved
-- conversation reopens its ticket, and a read of the ticket taken before
-- the core stored that message must not tell the citizen "solved" again.
ALTER TABLE livechat_visitors ADD COLUMN wrote_at TIMESTAMPTZ NULL;
