-- Resolution-time counts (internal/reports) become one row per dimension,
-- day (or month) and value, holding all of that group's counts encoded
-- (reports/counts.go: ascending rounded durations and their ticket
-- counts, delta and varint coded), instead of one row per rounded
-- duration: a report over half a month by queue reads about fifteen rows
-- per queue instead of hundreds of thousands. The counts are rebuilt from
-- the raw rows: the tables are made anew, and clearing the day quantiles
-- and the rollup's mark makes the next refresh rebuild every day (the
-- month counts are the sum of the days' changes, so they start empty).
DROP TABLE report_resolution;
DROP TABLE report_resolution_month;

CREATE TABLE report_resolution (
    dim    TEXT  NOT NULL,
    day    TEXT  NOT NULL,
    value  TEXT  NOT NULL,
    counts BLOB NOT NULL,
    PRIMARY KEY (dim, day, value)
);

CREATE TABLE report_resolution_month (
    dim    TEXT  NOT NULL,
    month  TEXT  NOT NULL,
    value  TEXT  NOT NULL,
    counts BLOB NOT NULL,
    PRIMARY KEY (dim, month, value)
);

DELETE FROM report_resolution_day;
DELETE FROM report_marks WHERE name = 'daily';
