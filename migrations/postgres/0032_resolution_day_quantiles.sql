-- Each day's median and p90 of the rounded resolution time per dimension
-- and value (internal/reports), written from the day's counts whenever
-- they change: a report by day reads one row per day instead of every
-- day's counts.
CREATE TABLE report_resolution_day (
    dim   TEXT   NOT NULL,
    day   TEXT   NOT NULL,
    value TEXT   NOT NULL,
    med   DOUBLE PRECISION NOT NULL,
    p90   DOUBLE PRECISION NOT NULL,
    PRIMARY KEY (dim, day, value)
);

-- A day's quantiles are written only when its counts change: clear the
-- counts and the mark so the next refresh rebuilds every day and writes
-- them all (the month counts are the sum of the days' and are rebuilt
-- with them).
DELETE FROM report_resolution;
DELETE FROM report_resolution_month;
DELETE FROM report_marks WHERE name = 'daily';
