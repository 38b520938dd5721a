-- Reports (internal/reports). report_daily is the per-day rollup of the
-- ticket figures, one row per (dimension, day, value): dim is all (value
-- ''), channel, category, province, queue (queue id), hour (00..23 of
-- creation), agent (assignee id, 0: none), wrapup (code, '': none) or calls
-- (phone calls, value 'inbound'). day is the ticket's creation day in the
-- reporting time zone. Durations are sums in seconds; averages are
-- sum / count at read time. A day's rows are replaced as a whole when a
-- ticket of that day changed (reports.Refresh).
CREATE TABLE report_daily (
    dim         TEXT   NOT NULL,
    day         TEXT   NOT NULL,
    value       TEXT   NOT NULL,
    tickets     BIGINT NOT NULL DEFAULT 0,
    responded   BIGINT NOT NULL DEFAULT 0,
    frt_s       BIGINT NOT NULL DEFAULT 0,
    frt_biz_s   BIGINT NOT NULL DEFAULT 0,
    replies     BIGINT NOT NULL DEFAULT 0,
    reply_s     BIGINT NOT NULL DEFAULT 0,
    resolved    BIGINT NOT NULL DEFAULT 0,
    res_s       BIGINT NOT NULL DEFAULT 0,
    res_biz_s   BIGINT NOT NULL DEFAULT 0,
    handled     BIGINT NOT NULL DEFAULT 0,
    handle_s    BIGINT NOT NULL DEFAULT 0,
    reopened    BIGINT NOT NULL DEFAULT 0,
    transferred BIGINT NOT NULL DEFAULT 0,
    transfers   BIGINT NOT NULL DEFAULT 0,
    frt_due     BIGINT NOT NULL DEFAULT 0,
    frt_met     BIGINT NOT NULL DEFAULT 0,
    res_due     BIGINT NOT NULL DEFAULT 0,
    res_met     BIGINT NOT NULL DEFAULT 0,
    abandoned   BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (dim, day, value)
);

-- How far the rollup has read: changes after mark are still to fold in.
CREATE TABLE report_marks (
    name TEXT NOT NULL PRIMARY KEY,
    mark TIMESTAMPTZ NOT NULL
);

-- Monthly complaint-handling reports, generated on schedule or on demand.
CREATE TABLE report_monthly (
    month        TEXT NOT NULL PRIMARY KEY, -- YYYY-MM
    csv          TEXT NOT NULL,
    html         TEXT NOT NULL,
    generated_at TIMESTAMPTZ NOT NULL
);

-- The rollup reads a day's tickets by creation time, finds changed tickets
-- by update time and agent actions by time; the per-ticket export walks
-- tickets by creation time.
CREATE INDEX tickets_created_idx ON tickets (created_at, id);
CREATE INDEX tickets_updated_idx ON tickets (updated_at);
CREATE INDEX audit_log_created_idx ON audit_log (created_at, id);
