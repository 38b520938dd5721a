-- Version number reserved for a migration that lands separately; this
-- file only keeps the numbering contiguous until then.
SELECT 1;
