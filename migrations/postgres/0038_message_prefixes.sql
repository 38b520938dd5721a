-- SQLite's FTS5 index of messages gains prefix indexes in this version.
-- PostgreSQL's GIN index has no such option: a broad prefix is kept from
-- it by the search itself (internal/search, BroadPrefix).
SELECT 1;
