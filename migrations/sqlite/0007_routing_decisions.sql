-- PostgreSQL adds routing_abort for its one-statement assignment
-- decisions. SQLite runs one writing transaction at a time and assigns
-- step by step inside it (a refusal rolls the transaction back), so it
-- needs nothing here; the version keeps both dialects in step.
SELECT 1;
