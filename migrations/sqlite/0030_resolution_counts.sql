-- Resolution-time histograms (internal/reports): per day, dimension and
-- value, how many tickets were resolved in each rounded duration. The
-- median and p90 of a period are read from these counts instead of
-- sorting the period's ticket rows. sec is the resolution time in whole
-- seconds rounded down to three significant digits (to the second below
-- 1,000 s, to 10 s below 10,000 s, and so on), so a day holds at most a
-- few thousand rows per value whatever its ticket count. Rows are
-- replaced with the day's report_daily rows (reports.Refresh).
CREATE TABLE report_resolution (
    dim   TEXT   NOT NULL,
    day   TEXT   NOT NULL,
    value TEXT   NOT NULL,
    sec   BIGINT NOT NULL,
    n     BIGINT NOT NULL,
    PRIMARY KEY (dim, day, value, sec)
) WITHOUT ROWID;

-- The same counts per calendar month (month YYYY-MM), kept in step with
-- the days by adding each rebuilt day's change: a report over whole
-- months reads one row per duration instead of one per day and duration.
-- A count that fell to 0 stays (it changes no quantile).
CREATE TABLE report_resolution_month (
    dim   TEXT   NOT NULL,
    month TEXT   NOT NULL,
    value TEXT   NOT NULL,
    sec   BIGINT NOT NULL,
    n     BIGINT NOT NULL,
    PRIMARY KEY (dim, month, value, sec)
) WITHOUT ROWID;

-- Forget how far the rollup had read, so the next refresh rebuilds every
-- day and fills the histograms of days that changed no more.
DELETE FROM report_marks WHERE name = 'daily';
